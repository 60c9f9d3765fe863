"""Index objects by module, side and row id (Sender lists of every Location, in page order)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_ocpi_objects_seek", "ocpi_objects", ["module", "is_local", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_ocpi_objects_seek", table_name="ocpi_objects")
