"""admins: nominations, artifacts, jobs, roll-ups, and what a reopening asked

- ``nominations``: the collectives and people a unit proposes for commendation (seed 003);
- ``artifacts``: files made for people (charts, exports), served to Zalo under a token;
- ``jobs``: long work asked for in a chat (an export), done outside the conversation;
- ``rollups``: an area's signed-off roll-up sent upward (a commune to the province);
- ``reports.reopen_note``, ``reopened_by``, ``reopened_at``: an admin's /reopen.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("achievement", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_nominations_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_nominations_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
    )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nominations_report_id"), ["report_id"], unique=False)
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("stored_key", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_artifacts_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifacts")),
        sa.UniqueConstraint("token", name=op.f("uq_artifacts_token")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("started_at", _WHEN, nullable=True),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("lease_until", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_jobs_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_id", ["status", "id"], unique=False)
    op.create_table(
        "rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_rollups_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rollups_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_rollups_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollups")),
        sa.UniqueConstraint(
            "campaign_id", "unit_id", "revision", name=op.f("uq_rollups_campaign_id")
        ),
    )
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rollups_unit_id"), ["unit_id"], unique=False)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopen_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reopened_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reopened_at", _WHEN, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_reopened_by_members"), "members", ["reopened_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_reopened_by_members"), type_="foreignkey")
        batch_op.drop_column("reopened_at")
        batch_op.drop_column("reopened_by")
        batch_op.drop_column("reopen_note")
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rollups_unit_id"))
    op.drop_table("rollups")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_id")
    op.drop_table("jobs")
    op.drop_table("artifacts")
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominations_report_id"))
    op.drop_table("nominations")
