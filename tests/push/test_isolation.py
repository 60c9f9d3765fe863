"""One slow or broken peer delays only itself (issue 8, item 3).

Fault peers (``tests/fault_peer.py``: raw sockets that never answer, answer one byte per
second, 500, 429 with Retry-After, truncated JSON, reset) are registered on the CPO node beside a
healthy eMSP, a real ocpikit node; the eMSP keeps receiving every change within seconds.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ocpikit.modules.locations import service as locations
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.schema import outbox
from ocpikit.sync.push import list_messages, outbox_counts
from tests import factories
from tests.fault_peer import FAULTS, FaultPeer, fault_peer, register_fault_peer
from tests.push.test_push_worker import (
    add_peer,
    enqueue,
    fast_worker,
    node_db,
    receiver,
    wait_for,
)
from tests.support import Databases, Pair

KEY = ObjectKey("locations", "NL", "CPO", "ISO")
CHANGES = 3
SPACING = 0.1  # seconds between two changes
# The latest a change may reach the healthy eMSP, in seconds: about 0.3 s on a quiet machine
# (the claim's poll interval), 1-2 s with the CPUs saturated; the faults cost 10 s (the peer
# timeout) or for ever without isolation.
LATE = 4.0


async def emsp_status(pair: Pair) -> str | None:
    async with pair.emsp.db.connect() as conn:
        got = await ObjectStore(conn).get(KEY)
    return got.parsed()["evses"][0]["last_updated"] if got is not None else None


@pytest.mark.parametrize("kinds", [(k,) for k in FAULTS] + [FAULTS], ids=[*FAULTS, "all"])
async def test_a_healthy_peer_gets_its_pushes_in_time_beside_faulty_ones(
    pair: Pair, kinds: tuple[str, ...]
):
    async with AsyncExitStack() as stack:
        faults: list[FaultPeer] = []
        for n, kind in enumerate(kinds):
            fault = await stack.enter_async_context(fault_peer(kind, retry_after=30))
            await register_fault_peer(pair.cpo.db, fault, f"F{n:02d}")
            faults.append(fault)
        await locations.save_local(pair.cpo.db, Location.model_validate(factories.location("ISO")))
        await asyncio.wait_for(_until(lambda: emsp_status(pair)), timeout=LATE + 1)

        lateness: list[float] = []
        for i in range(CHANGES):
            stamp = f"2026-05-01T00:00:{i:02d}Z"
            patch = EvsePatch.model_validate({"status": "CHARGING", "last_updated": stamp})
            changed = time.monotonic()
            await locations.patch_local_evse(pair.cpo.db, KEY, "ISO-1", patch)
            await asyncio.wait_for(_until(lambda s=stamp: _is(emsp_status(pair), s)), LATE + 1)
            lateness.append(time.monotonic() - changed)
            await asyncio.sleep(SPACING)
        print(f"{'+'.join(kinds)}: healthy peer's pushes arrived after", lateness)
        assert max(lateness) < LATE, lateness
        assert all(f.requests >= 1 for f in faults), [f.times for f in faults]  # in play
    # Only the healthy peer's messages are DONE (the location's PUT and every change).
    assert (await outbox_counts(pair.cpo.db))["DONE"] == CHANGES + 1


async def _until(get, step: float = 0.02):
    while not (value := await get()):
        await asyncio.sleep(step)
    return value


async def _is(value, expected) -> bool:
    return (await value) == expected


@pytest.mark.parametrize(
    ("kind", "most"),
    [("error500", 6), ("reset", 6), ("silent", 3), ("throttle", 2), ("truncated", 6)],
)
async def test_a_failing_peer_is_backed_off(databases: Databases, kind: str, most: int):
    """One message per claim: without the peer's pause, 24 objects would be 24 requests at once."""
    db = await node_db(databases)
    async with fault_peer(kind, retry_after=1) as fault:
        peer_id = await register_fault_peer(db, fault, "BAD")
        for n in range(24):
            await enqueue(db, f"L{n}", 1)
        worker = fast_worker(
            db, concurrency=1, base_delay=0.2, max_delay=5.0, peer_max_delay=0.4, timeout=0.5
        )
        task = asyncio.create_task(worker.run())
        await asyncio.sleep(1.0)
        worker.stop()
        await asyncio.wait_for(task, timeout=5)
        await worker.close()
        assert 1 <= fault.requests <= most, fault.times
        if kind == "throttle":  # the message waits as long as the peer asked
            [tried] = [m for m in await list_messages(db) if m.attempts]
            assert "HTTP 429" in (tried.last_error or "")
            async with db.connect() as conn:
                row = await _row(conn, tried.id)
            assert row.next_attempt_at >= datetime.now(UTC) + timedelta(seconds=-0.6)
    assert peer_id
    await db.close()


async def _row(conn, message_id: int):
    return (await conn.execute(select(outbox).where(outbox.c.id == message_id))).one()


async def test_a_slow_peer_does_not_hold_up_another_peers_claims(databases: Databases):
    """Directly on the worker: the slow peer's messages stay in flight, the other's are DONE."""
    db = await node_db(databases)
    async with fault_peer("trickle") as slow, fault_peer("silent") as dead:
        await register_fault_peer(db, slow, "SLW")
        await register_fault_peer(db, dead, "DED")
        async with receiver() as rec:
            await add_peer(db, rec, "MSP")
            worker = fast_worker(db, timeout=5.0, stop_grace=0.2)
            task = asyncio.create_task(worker.run())
            try:
                await enqueue(db, "A", 3)
                started = time.monotonic()
                await wait_for(lambda: _received(rec, 3), timeout=3)
                took = time.monotonic() - started
                await enqueue(db, "B", 2)
                await wait_for(lambda: _received(rec, 5), timeout=3)
            finally:
                worker.stop()
                await asyncio.wait_for(task, timeout=6)
                await worker.close()
            assert took < 1.5, took
            assert [(p, b["seq"]) for _, p, b in rec.received] == [
                ("/locations/NL/CPO/A", 0),
                ("/locations/NL/CPO/A", 1),
                ("/locations/NL/CPO/A", 2),
                ("/locations/NL/CPO/B", 0),
                ("/locations/NL/CPO/B", 1),
            ]
    await db.close()


async def _received(rec, n: int) -> bool:
    return len(rec.received) >= n
