"""The checked-in Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ocpikit.storage.db import Database
from ocpikit.storage.schema import metadata
from tests.support import Databases, initialise


def _differences(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrations_match_the_declared_schema(databases: Databases):
    url = await databases.new()
    await initialise(url, "http://127.0.0.1:1", [])
    db = Database.unpooled(url)
    try:
        async with db.connect() as conn:
            differences = await conn.run_sync(_differences)
    finally:
        await db.close()
    assert differences == [], "schema.py and the migrations differ: add a migration"
