"""The outbox push worker: durable, ordered per object, shared by workers, with backoff."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import uvicorn
from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ocpikit.modules.locations import service as locations
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.storage.repositories import PeerRepository, PeerRole
from ocpikit.storage.schema import outbox
from ocpikit.sync.push import PushWorker, list_messages, outbox_counts, replay
from tests import factories
from tests.support import Databases, Pair, free_port, initialise


@dataclass
class Receiver:
    """A peer's Locations Receiver that records what it gets and fails on demand."""

    url: str = ""
    received: list[tuple[str, str, dict]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 500
    reject: bool = False
    unparsed: bool = False  # answer as a framework refusing a body it cannot parse
    delay: float = 0.0
    requests: int = 0
    hold: bool = False  # answer nothing until ``released`` is set
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: Request) -> JSONResponse:
        self.requests += 1
        if self.hold:
            await self.released.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse(
                {"status_code": 3000, "timestamp": "2026-01-01T00:00:00Z"}, self.fail_status
            )
        if self.unparsed:
            error = {"loc": ["body", "evses", 0, "connectors", 0, "tariff_id"], "msg": "required"}
            return JSONResponse({"detail": [error]}, 422)
        if self.reject:
            return JSONResponse(
                {"status_code": 2001, "status_message": "no", "timestamp": "2026-01-01T00:00:00Z"}
            )
        self.received.append((request.method, request.url.path, orjson.loads(await request.body())))
        return JSONResponse({"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"})


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    port = free_port()
    rec.url = f"http://127.0.0.1:{port}/locations"
    app = Starlette(routes=[Route("/locations/{rest:path}", rec.handle, methods=["PUT", "PATCH"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield rec
    finally:
        server.should_exit = True
        with suppress(asyncio.CancelledError):
            await task


async def node_db(databases: Databases) -> Database:
    url = await databases.new()
    await initialise(url, "http://127.0.0.1:1", [("NL", "CPO", "CPO")])
    return Database(url)


async def add_peer(db: Database, rec: Receiver, party: str = "MSP") -> int:
    async with db.transaction() as conn:
        repo = PeerRepository(conn)
        peer_id = await repo.create(
            status="REGISTERED",
            versions_url="http://x/versions",
            token_out="t",
            token_encoding="base64",
        )
        await repo.update(
            peer_id,
            endpoints=[{"identifier": "locations", "role": "RECEIVER", "url": rec.url}],
            version="2.2.1",
        )
        await repo.set_roles(peer_id, [PeerRole("EMSP", "DE", party, {"name": party})])
    return peer_id


async def enqueue(db: Database, lid: str, n: int) -> None:
    for i in range(n):
        async with db.transaction() as conn:
            key = ObjectKey("locations", "NL", "CPO", lid)
            await Outbox(conn).publish(Push(key, "PATCH", f"/NL/CPO/{lid}", {"seq": i}))


async def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def fast_worker(db: Database, **kwargs) -> PushWorker:
    options = {
        "base_delay": 0.05,
        "max_delay": 0.2,
        "poll_interval": 0.02,
        "timeout": 2.0,
        **kwargs,
    }
    return PushWorker(db, **options)


async def test_local_changes_reach_the_registered_peer_in_order(pair: Pair):
    loc = factories.location("PUSHED")
    await locations.save_local(pair.cpo.db, Location.model_validate(loc))
    key = ObjectKey("locations", "NL", "CPO", "PUSHED")
    for i, status in enumerate(["CHARGING", "BLOCKED", "AVAILABLE", "CHARGING"]):
        patch = EvsePatch.model_validate(
            {"status": status, "last_updated": f"2026-02-01T00:00:0{i}Z"}
        )
        await locations.patch_local_evse(pair.cpo.db, key, "PUSHED-1", patch)

    async def arrived() -> bool:
        async with pair.emsp.db.connect() as conn:
            got = await ObjectStore(conn).get(key)
        return (
            got is not None
            and got.parsed()["evses"][0]["status"] == "CHARGING"
            and got.parsed()["last_updated"] == "2026-02-01T00:00:03Z"
        )

    await wait_for(arrived)
    counts = await outbox_counts(pair.cpo.db)
    await wait_for(lambda: _done(pair.cpo.db, 5))
    assert counts["DEAD"] == 0


async def _done(db: Database, n: int) -> bool:
    return (await outbox_counts(db))["DONE"] == n


async def test_failures_are_retried_with_backoff_until_delivered(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.fail_next = 3
        await enqueue(db, "L1", 2)
        worker = fast_worker(db)
        task = asyncio.create_task(worker.run())
        try:
            await wait_for(lambda: _done(db, 2))
        finally:
            worker.stop()
            await task
            await worker.close()
        assert [body["seq"] for _, _, body in rec.received] == [0, 1]
        [first, _] = sorted(await list_messages(db), key=lambda m: m.id)
        assert first.attempts == 4
    await db.close()


async def test_429_and_unreachable_are_retried(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.fail_next, rec.fail_status = 2, 429
        await enqueue(db, "L1", 1)
        worker = fast_worker(db)
        for _ in range(40):
            await worker.run_once()
            if (await outbox_counts(db))["DONE"] == 1:
                break
            await asyncio.sleep(0.05)
        await worker.close()
        assert len(rec.received) == 1
    await db.close()


async def test_rejected_message_is_dead_and_can_be_replayed(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.reject = True
        await enqueue(db, "L1", 1)
        worker = fast_worker(db)
        await worker.run_once()
        [dead] = await list_messages(db, status="DEAD")
        assert "2001" in (dead.last_error or "")
        rec.reject = False
        assert await replay(db, [dead.id]) == 1
        await worker.run_once()
        await worker.close()
        assert (await outbox_counts(db))["DONE"] == 1
        assert len(rec.received) == 1
    await db.close()


async def test_body_refused_without_an_envelope_is_dead_and_pauses_no_one(databases: Databases):
    """HTTP 422 with a framework's error body (extrawest-ocpi's answer to an object it cannot
    parse): the peer refused this message, it is not down."""
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.unparsed = True
        await enqueue(db, "L1", 1)
        worker = fast_worker(db, base_delay=5.0, max_delay=5.0)
        await worker.run_once()
        [dead] = await list_messages(db, status="DEAD")
        assert dead.attempts == 1 and "HTTP 422" in (dead.last_error or "")
        rec.unparsed = False
        await enqueue(db, "L2", 1)
        await worker.run_once()  # the peer's lane was not paused
        await worker.close()
        assert (await outbox_counts(db))["DONE"] == 1
    await db.close()


async def test_messages_give_up_after_max_attempts(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.fail_next = 100
        await enqueue(db, "L1", 1)
        worker = fast_worker(db, max_attempts=3, base_delay=0.01, max_delay=0.01)
        for _ in range(50):
            await worker.run_once()
            if (await outbox_counts(db))["DEAD"]:
                break
            await asyncio.sleep(0.02)
        await worker.close()
        assert (await outbox_counts(db))["DEAD"] == 1
    await db.close()


async def test_two_workers_deliver_each_message_once_and_in_order_per_object(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.delay = 0.005
        for lid in ("A", "B", "C", "D"):
            await enqueue(db, lid, 15)
        workers = [fast_worker(db, batch=7), fast_worker(Database(db.url), batch=5)]
        tasks = [asyncio.create_task(w.run()) for w in workers]
        try:
            await wait_for(lambda: _done(db, 60), timeout=30)
        finally:
            for w in workers:
                w.stop()
            await asyncio.gather(*tasks)
            for w in workers:
                await w.close()
            await workers[1].db.close()
        per_object: dict[str, list[int]] = {}
        for _, path, body in rec.received:
            per_object.setdefault(path, []).append(body["seq"])
        assert len(rec.received) == 60
        assert all(seqs == list(range(15)) for seqs in per_object.values()), per_object
        assert sum(w.delivered for w in workers) == 60
    await db.close()


async def test_a_worker_killed_mid_delivery_loses_nothing(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        await enqueue(db, "L1", 3)
        crashed = fast_worker(db, lock_seconds=0.3)
        claimed = await crashed._claim(10)  # claims the head message, then "dies"
        assert [r.id for r in claimed]
        await crashed.close()
        survivor = fast_worker(db)
        task = asyncio.create_task(survivor.run())
        try:
            await wait_for(lambda: _done(db, 3))
        finally:
            survivor.stop()
            await task
            await survivor.close()
        assert [body["seq"] for _, _, body in rec.received] == [0, 1, 2]
    await db.close()


async def test_only_peers_with_a_receiver_for_the_module_get_messages(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        with_receiver = await add_peer(db, rec, "MSP")
        async with db.transaction() as conn:
            repo = PeerRepository(conn)
            other = await repo.create(
                status="REGISTERED", versions_url="http://y", token_out="t", token_encoding="base64"
            )
            await repo.update(
                other,
                endpoints=[{"identifier": "tariffs", "role": "RECEIVER", "url": "http://y/t"}],
            )
            await repo.set_roles(other, [PeerRole("EMSP", "DE", "OTH", {"name": "o"})])
        await enqueue(db, "L1", 1)
        async with db.connect() as conn:
            rows = list(await conn.execute(select(outbox.c.peer_id)))
        assert [r.peer_id for r in rows] == [with_receiver]
    await db.close()


@pytest.mark.parametrize("audience", [("DE", "MSP"), ("FR", "XXX")])
async def test_audience_limits_the_fan_out(databases: Databases, audience):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec, "MSP")
        async with db.transaction() as conn:
            key = ObjectKey("locations", "NL", "CPO", "S1")
            n = await Outbox(conn).publish(Push(key, "PUT", "/x", {}, audience=audience))
        assert n == (1 if audience == ("DE", "MSP") else 0)
    await db.close()


async def test_patch_of_an_object_the_peer_lost_is_repaired_by_a_put(
    pair: Pair, caplog: pytest.LogCaptureFixture
):
    """TF-14: a PATCH answered 404 (the peer lacks the object) is followed by a PUT of it."""
    caplog.set_level("INFO", logger="ocpikit.push")
    loc = factories.location("LOST")
    await locations.save_local(pair.cpo.db, Location.model_validate(loc))
    key = ObjectKey("locations", "NL", "CPO", "LOST")

    async def received() -> dict | None:
        async with pair.emsp.db.connect() as conn:
            got = await ObjectStore(conn).get(key)
        return got.parsed() if got is not None else None

    await wait_for(lambda: _has(received))
    async with pair.emsp.db.transaction() as conn:  # the eMSP loses its copy
        assert await ObjectStore(conn).delete(key)
    patch = EvsePatch.model_validate({"status": "CHARGING", "last_updated": "2026-03-01T00:00:00Z"})
    await locations.patch_local_evse(pair.cpo.db, key, "LOST-1", patch)

    async def repaired() -> bool:
        got = await received()
        return got is not None and got["evses"][0]["status"] == "CHARGING"

    await wait_for(repaired)
    got = await received()
    assert got is not None and got["id"] == "LOST" and got["last_updated"] == "2026-03-01T00:00:00Z"
    await wait_for(lambda: _done(pair.cpo.db, 2))
    assert (await outbox_counts(pair.cpo.db))["DEAD"] == 0
    assert "lacked /NL/CPO/LOST, sent it whole (PUT)" in caplog.text


async def test_patch_of_an_object_gone_on_both_sides_is_dead(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.fail_next, rec.fail_status = 1, 404
        await enqueue(db, "NOWHERE", 1)  # a PATCH of a location this node does not hold
        worker = fast_worker(db)
        await worker.run_once()
        await worker.close()
        [dead] = await list_messages(db, status="DEAD")
        assert "gone here too" in (dead.last_error or "")
        assert rec.received == []
    await db.close()


async def _has(get) -> bool:
    return await get() is not None


async def test_stop_cancels_a_slow_delivery_after_the_grace_and_frees_its_claim(
    databases: Databases,
):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.hold = True  # a peer that hangs far past the stop grace
        await enqueue(db, "L1", 1)
        worker = fast_worker(db, timeout=60.0, stop_grace=0.3)
        task = asyncio.create_task(worker.run())
        await wait_for(lambda: _true(rec.requests == 1))
        started = time.monotonic()
        worker.stop()
        await asyncio.wait_for(task, timeout=5)
        assert time.monotonic() - started < 2.0
        [message] = await list_messages(db)
        assert message.status == "PENDING" and message.attempts == 0
        async with db.connect() as conn:
            lock = (await conn.execute(select(outbox.c.locked_by, outbox.c.locked_until))).one()
        assert tuple(lock) == (None, None)  # another worker may take it at once
        rec.hold = False
        rec.released.set()
        other = fast_worker(db)
        assert await other.run_once() == 1
        await worker.close()
        await other.close()
        assert [body["seq"] for _, _, body in rec.received] == [0]
        assert (await outbox_counts(db))["DONE"] == 1
    await db.close()


async def test_stop_waits_for_deliveries_that_finish_within_the_grace(databases: Databases):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        rec.delay = 0.3
        await enqueue(db, "L1", 1)
        worker = fast_worker(db, stop_grace=5.0)
        task = asyncio.create_task(worker.run())
        await wait_for(lambda: _true(rec.requests == 1))
        worker.stop()
        await asyncio.wait_for(task, timeout=5)
        await worker.close()
        assert (await outbox_counts(db))["DONE"] == 1
    await db.close()


async def _true(value: bool) -> bool:
    return value


async def test_delivered_messages_are_pruned_after_the_retention_dead_ones_stay(
    databases: Databases,
):
    db = await node_db(databases)
    async with receiver() as rec:
        await add_peer(db, rec)
        await enqueue(db, "OLD", 3)
        await enqueue(db, "NEW", 1)
        await enqueue(db, "BAD", 1)
        await enqueue(db, "WAITING", 1)
        long_ago = datetime.now(UTC) - timedelta(days=10)
        async with db.transaction() as conn:
            refs = {r.id: r.object_ref for r in await conn.execute(select(outbox))}
            for mid, ref in refs.items():
                values: dict = {}
                if ":OLD:" in ref or ":BAD:" in ref:
                    values = {"next_attempt_at": long_ago, "delivered_at": long_ago}
                    values["status"] = "DONE" if ":OLD:" in ref else "DEAD"
                elif ":NEW:" in ref:
                    values = {"status": "DONE", "delivered_at": datetime.now(UTC)}
                if values:
                    await conn.execute(update(outbox).where(outbox.c.id == mid).values(**values))
        worker = fast_worker(db)
        assert await worker.prune(timedelta(days=7), batch=2) == 3  # in batches of 2
        await worker.close()
        left = sorted((m.object_ref.split(":")[3], m.status) for m in await list_messages(db))
        assert left == [("BAD", "DEAD"), ("NEW", "DONE"), ("WAITING", "PENDING")]
    await db.close()
