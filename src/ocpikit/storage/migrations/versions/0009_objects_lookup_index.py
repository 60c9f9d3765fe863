"""Indexes for lookups by id and lists by date that SQLite prefers over the seek index

With ``ix_ocpi_objects_seek`` (module, is_local, id) present, SQLite preferred it for a lookup
by id (as many equalities, and no sort), scanning every token to find one, and for lists
with ``date_from``. (module, object_id, is_local, id) matches a lookup on three columns and
gives the order too; (module, is_local, last_updated) lets a date range be read as a range
(``published`` no longer filters what peers get, so it left that index).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_ocpi_objects_updated", table_name="ocpi_objects")
    op.create_index(
        "ix_ocpi_objects_updated", "ocpi_objects", ["module", "is_local", "last_updated"]
    )
    op.drop_index("ix_ocpi_objects_object", table_name="ocpi_objects")
    op.create_index(
        "ix_ocpi_objects_object",
        "ocpi_objects",
        ["module", "object_id", "is_local", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_ocpi_objects_updated", table_name="ocpi_objects")
    op.create_index(
        "ix_ocpi_objects_updated",
        "ocpi_objects",
        ["module", "is_local", "published", "last_updated"],
    )
    op.drop_index("ix_ocpi_objects_object", table_name="ocpi_objects")
    op.create_index("ix_ocpi_objects_object", "ocpi_objects", ["module", "object_id"], unique=False)
