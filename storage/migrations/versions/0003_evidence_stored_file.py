"""evidence: the stored file's own sha256 and size, beside the upload's

An image is re-encoded without its metadata before it is stored, so the file on disk differs
from the upload: ``sha256`` and ``size`` stay those of the upload (the same photo sent twice is
found by them), ``stored_sha256`` and ``stored_size`` are those of the file kept. Rows from
before this revision have none (NULL): their file is where ``stored_key`` says.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stored_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("stored_size", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("stored_size")
        batch_op.drop_column("stored_sha256")
