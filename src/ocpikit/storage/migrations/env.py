"""Alembic environment: runs the migrations on the async engine given by ``migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ocpikit.storage.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` run by hand without ocpikit
    raise RuntimeError("run migrations through `ocpikit init`")
_run(connection)
