"""outbox: an index to find a person's latest sent message

Every typed answer asks which question the person last saw (``Outbox.last_sent_step``): the
newest sent row of this person. Without this index SQLite read every sent row of every person
(by ``ix_outbox_due``'s status) for each message, a cost that grew with the whole table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 15:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_person_sent",
        "outbox",
        ["platform", "user_id", "status", "sent_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_person_sent", table_name="outbox")
