"""Upgrading a database that holds data: the newest migrations keep rows and id sequences."""

from __future__ import annotations

from sqlalchemy import insert, select, text

from ocpikit.storage.db import Database
from ocpikit.storage.migrate import upgrade
from ocpikit.storage.schema import events
from tests.support import Databases


async def test_upgrade_from_0007_keeps_events_and_goes_on_counting(databases: Databases):
    db = Database.unpooled(await databases.new(fresh=True))
    try:
        await upgrade(db, "0007")
        row = {"kind": "k", "module": "m", "data": "{}", "created_at": text("CURRENT_TIMESTAMP")}
        async with db.transaction() as conn:
            await conn.execute(insert(events).values(**row))
        await upgrade(db)
        async with db.transaction() as conn:
            await conn.execute(insert(events).values(**row))
        async with db.connect() as conn:
            ids = list((await conn.execute(select(events.c.id).order_by(events.c.id))).scalars())
            if db.engine.dialect.name == "postgresql":
                kind = await conn.scalar(
                    text("SELECT data_type FROM pg_sequences WHERE sequencename = 'events_id_seq'")
                )
                assert kind == "bigint"
        assert ids == [1, 2]
    finally:
        await db.close()
