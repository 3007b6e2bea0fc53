"""units: an optional contact (a phone number or an e-mail address, as text)

``tuanle units import`` reads it from the file's optional "contact" ("liên hệ") column; the
admin's status lists it beside the units still missing. Units from before this revision have
none (NULL).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("contact")
