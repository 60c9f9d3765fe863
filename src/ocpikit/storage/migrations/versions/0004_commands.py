"""Commands and charging profile requests, both directions

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commands",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("module", sa.String(length=24), nullable=False),
        sa.Column("command", sa.String(length=24), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=True),
        sa.Column("local_country_code", sa.String(length=2), nullable=True),
        sa.Column("local_party_id", sa.String(length=3), nullable=True),
        sa.Column("peer_country_code", sa.String(length=2), nullable=True),
        sa.Column("peer_party_id", sa.String(length=3), nullable=True),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("evse_uid", sa.String(length=64), nullable=True),
        sa.Column("token_uid", sa.String(length=64), nullable=True),
        sa.Column("response_url", sa.String(length=512), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timeout_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["peers.id"], name=op.f("fk_commands_peer_id_peers"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commands")),
        sa.UniqueConstraint("uid", name=op.f("uq_commands_uid")),
    )
    op.create_index("ix_commands_list", "commands", ["direction", "id"], unique=False)
    op.create_index("ix_commands_token", "commands", ["token_uid", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_commands_token", table_name="commands")
    op.drop_index("ix_commands_list", table_name="commands")
    op.drop_table("commands")
