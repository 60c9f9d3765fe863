"""The local party a per-party version's peer (OCPI 2.1.1) is connected to

OCPI 2.1.1 credentials carry one party on each side, so a 2.1.1 peer talks to exactly one of
the node's local parties; NULL for a peer of a version with roles (2.2+), which talks to all.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("peers") as batch:
        batch.add_column(sa.Column("local_country_code", sa.String(2), nullable=True))
        batch.add_column(sa.Column("local_party_id", sa.String(3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("peers") as batch:
        batch.drop_column("local_party_id")
        batch.drop_column("local_country_code")
