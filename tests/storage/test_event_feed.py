"""The event feed is read up to ids that are final, so a cursor never skips a late commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ocpikit.operator.events import read_events
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from tests.support import Databases, initialise


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    url = await databases.new()
    await initialise(url, "http://127.0.0.1:1", [("NL", "CPO", "CPO")])
    database = Database(url)
    yield database
    await database.close()


async def test_a_reader_waits_for_an_earlier_id_still_committing(db: Database):
    if db.is_sqlite:
        pytest.skip("SQLite writers take turns: ids commit in order, there is nothing to wait for")
    slow_started, release = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> int:
        async with db.transaction() as conn:
            first = await EventLog(conn).append("test.slow", "test")
            slow_started.set()
            await release.wait()
        return first

    slow = asyncio.create_task(slow_writer())
    await slow_started.wait()
    async with db.transaction() as conn:  # a later id, committed first
        later = await EventLog(conn).append("test.fast", "test")
    # Without the horizon the reader would see `later` and move past the earlier id for good.
    assert await read_events(db, 0, limit=10) == []
    reader = asyncio.create_task(read_events(db, 0, limit=10))
    await asyncio.sleep(0.05)
    release.set()  # the earlier transaction commits while the reader waits for it
    first = await slow
    events = await asyncio.wait_for(reader, timeout=5)
    assert [e["id"] for e in events] == [first, later] and first < later


async def test_writers_do_not_wait_for_each_other(db: Database):
    if db.is_sqlite:
        pytest.skip("SQLite admits one writer at a time by design")
    inside = asyncio.Event()

    async def open_writer() -> None:
        async with db.transaction() as conn:
            await EventLog(conn).append("test.open", "test")
            inside.set()
            await asyncio.sleep(0.5)

    task = asyncio.create_task(open_writer())
    await inside.wait()
    async with db.transaction() as conn:
        await asyncio.wait_for(EventLog(conn).append("test.other", "test"), timeout=0.3)
    await task


async def test_the_feed_reads_every_committed_event_in_order(db: Database):
    for n in range(5):
        async with db.transaction() as conn:
            await EventLog(conn).append(f"test.{n}", "test")
    events = await read_events(db, 0, limit=10)
    assert [e["kind"] for e in events] == [f"test.{n}" for n in range(5)]
    async with db.connect() as conn:
        assert [e.kind for e in await EventLog(conn).after(events[1]["id"])] == [
            "test.2",
            "test.3",
            "test.4",
        ]


async def test_a_reader_blocked_too_long_answers_nothing_new_and_lets_writers_on(db: Database):
    if db.is_sqlite:
        pytest.skip("SQLite writers take turns: there is no lock to wait for")
    async with db.transaction() as conn:
        earlier = await EventLog(conn).append("test.earlier", "test")
    inside, release = asyncio.Event(), asyncio.Event()

    async def long_writer() -> None:
        async with db.transaction() as conn:
            await EventLog(conn).append("test.long", "test")
            inside.set()
            await release.wait()

    task = asyncio.create_task(long_writer())
    await inside.wait()
    assert await asyncio.wait_for(read_events(db, 0, limit=10), timeout=2) == []
    async with db.transaction() as conn:  # writers were not held up by the reader
        await asyncio.wait_for(EventLog(conn).append("test.after", "test"), timeout=1)
    release.set()
    await task
    kinds = [e["kind"] for e in await read_events(db, 0, limit=10)]
    assert kinds == ["test.earlier", "test.long", "test.after"] and earlier > 0
