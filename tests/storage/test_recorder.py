"""The event recorder: events of answers written after them, in batches, none lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.recorder import EventRecorder
from tests.support import Databases, initialise, writers_held


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    url = await databases.new()
    await initialise(url, "http://127.0.0.1:1", [("NL", "CPO", "CPO")])
    database = Database(url)
    yield database
    await database.close()


async def written(db: Database) -> list[int]:
    async with db.connect() as conn:
        found = await EventLog(conn).after(0, limit=10_000)
    return [e.data["n"] for e in found]


async def test_events_are_written_in_order_in_batches_and_the_queue_is_bounded(db: Database):
    recorder = EventRecorder(db, max_pending=50, batch=20)
    for n in range(300):
        await recorder.record("test.answered", "test", object_id=f"X{n}", data={"n": n})
        assert recorder.pending <= 50
    await recorder.flush()
    assert recorder.pending == 0
    assert await written(db) == list(range(300))
    await recorder.close()


async def test_recording_does_not_wait_for_writers_and_close_writes_the_rest(db: Database):
    recorder = EventRecorder(db)
    async with writers_held(db.url):
        for n in range(5):
            await asyncio.wait_for(recorder.record("test.answered", "test", data={"n": n}), 1)
        assert recorder.pending == 5
    await recorder.close()
    assert recorder.pending == 0
    await recorder.record("test.late", "test", data={"n": 5})  # after close: at once
    assert await written(db) == list(range(6))


async def test_a_failed_batch_is_kept_and_written_later(db: Database):
    recorder = EventRecorder(db)
    real = EventLog.append_all
    failures = iter([True, False])

    async def flaky(self: EventLog, batch: object) -> None:
        if next(failures, False):
            raise RuntimeError("database away")
        await real(self, batch)  # type: ignore[arg-type]

    EventLog.append_all = flaky  # type: ignore[method-assign]
    try:
        await recorder.record("test.answered", "test", data={"n": 0})
        await asyncio.wait_for(recorder.flush(), 5)
    finally:
        EventLog.append_all = real  # type: ignore[method-assign]
    assert await written(db) == [0]
    await recorder.close()
