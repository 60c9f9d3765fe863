"""Index objects by module and id (Sender GET by id, token lookups, pull)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ocpi_objects_object", "ocpi_objects", ["module", "object_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ocpi_objects_object", table_name="ocpi_objects")
