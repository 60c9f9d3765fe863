"""A party may be held by one platform in several registrations

OCPI 2.1.1 credentials carry one party on each side: a platform connected to two of our
parties registers twice, with the same party. The unique key (role, country_code, party_id)
gives way to an index; that a party belongs to one platform is checked at registration
(``modules/credentials/service.py``).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("peer_roles") as batch:
        batch.drop_constraint("uq_peer_roles_party_role", type_="unique")
        batch.create_index("ix_peer_roles_party", ["country_code", "party_id"])


def downgrade() -> None:
    with op.batch_alter_table("peer_roles") as batch:
        batch.drop_index("ix_peer_roles_party")
        batch.create_unique_constraint(
            "uq_peer_roles_party_role", ["role", "country_code", "party_id"]
        )
