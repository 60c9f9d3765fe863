"""Index received requests by status and timeout (the sweep for orphaned requests)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_commands_pending", "commands", ["status", "direction", "timeout_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_commands_pending", table_name="commands")
