"""Push: EVSE status changes delivered per second by the outbox worker, to 1 and to 10 peers.

A CPO SQLite database holds 600 of its own locations (2 EVSEs each). Its peers are
lightweight Starlette/uvicorn Locations Receivers on loopback that answer ``1000`` to every
PUT/PATCH; all of them run in one separate process (one event loop, one port each), so that
they do not take this process's CPU. The worker is :class:`ocpikit.sync.push.PushWorker`
built by :func:`ocpikit.app.push_worker` from default settings, as inside ``ocpikit serve``,
in this process. Each change is one ``locations.service.patch_local_evse`` call (one
transaction: the location is stored and a PATCH queued for every peer), on a different location
each (so the per-object ordering never holds a change back).

Two figures per peer count:

- **live**: the worker runs while the changes are made one after the other as fast as this
  process can; from the first enqueue to every message DONE, with each message's latency
  (``delivered_at - created_at`` of its outbox row). Enqueueing and delivering share one CPU.
- **backlog**: the changes are queued first (the enqueue rate is printed), then the worker is
  started; from its start to every message DONE.

Run: ``.venv/bin/python -m bench.bench_push``.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bench.bench_locations import _location
from bench.support import add_peer, init_node, percentile
from ocpikit.app import push_worker
from ocpikit.config import Settings
from ocpikit.modules.locations import service
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectKey
from ocpikit.storage.schema import outbox
from ocpikit.sync.push import outbox_counts

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
LOCATIONS = 600
CHANGES = {1: 600, 10: 150}  # status changes per run, by peer count
STATUSES = ["CHARGING", "AVAILABLE", "BLOCKED", "OUTOFORDER"]


# ---- the receivers (a separate process) ---------------------------------------------------


async def _receivers(count: int) -> None:
    """Serve ``count`` receivers on ports this process binds; print them once ready."""
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    ok = b'{"status_code":1000,"timestamp":"2026-01-01T00:00:00Z"}'

    async def handle(request: Request) -> Response:
        await request.body()
        return Response(ok, media_type="application/json")

    app = Starlette(routes=[Route("/locations/{rest:path}", handle, methods=["PUT", "PATCH"])])
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # bound here: no other process can take it meanwhile
        sockets.append(sock)
    servers = [
        uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)) for _ in sockets
    ]
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]))
        for server, sock in zip(servers, sockets, strict=True)
    ]
    while not all(s.started for s in servers):
        await asyncio.sleep(0.01)
    print("ready", *(sock.getsockname()[1] for sock in sockets), flush=True)
    await asyncio.gather(*tasks)


@asynccontextmanager
async def receivers(count: int) -> AsyncIterator[list[str]]:
    """``count`` Locations Receiver URLs, served by one child process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_push", "--receivers", str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.to_thread(process.stdout.readline)).split()
        if line[:1] != [b"ready"]:
            raise RuntimeError("the receivers did not start")
        ports = [int(p) for p in line[1:]]
        yield [f"http://127.0.0.1:{p}/locations" for p in ports]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


# ---- the CPO side ------------------------------------------------------------------------


async def cpo_database(path: Path, urls: list[str]) -> str:
    """A CPO database with its locations (stored before any peer: nothing queued) and peers."""
    url = f"sqlite:///{path}"
    await init_node(url, "http://127.0.0.1:9", [("NL", "CPO", "CPO")])
    db = Database(url)
    async with db.transaction() as conn:
        for i in range(LOCATIONS):
            await service.store_local(conn, Location.model_validate(_location(i)))
    await db.close()
    for n, receiver in enumerate(urls):
        endpoints = [{"identifier": "locations", "role": "RECEIVER", "url": receiver}]
        await add_peer(url, "DE", f"M{n:02d}", "EMSP", endpoints)
    return url


async def change(db: Database, i: int) -> None:
    """The i-th EVSE status change: location i (mod LOCATIONS), after the seeded stamps."""
    loc = i % LOCATIONS
    stamp = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=i)
    patch = EvsePatch.model_validate(
        {
            "status": STATUSES[i % len(STATUSES)],
            "last_updated": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    key = ObjectKey("locations", "NL", "CPO", f"L{loc:05d}")
    await service.patch_local_evse(db, key, f"L{loc:05d}-{1 + (i // LOCATIONS) % 2}", patch)


async def wait_done(db: Database, expected: int) -> None:
    while True:
        counts = await outbox_counts(db)
        if counts["DEAD"]:
            raise RuntimeError(f"{counts['DEAD']} pushes are DEAD")
        if counts["DONE"] >= expected:
            return
        await asyncio.sleep(0.05)


async def latencies(db: Database) -> list[float]:
    async with db.connect() as conn:
        rows = await conn.execute(select(outbox.c.created_at, outbox.c.delivered_at))
        return [(d - c).total_seconds() for c, d in rows]


async def run_case(tmp: Path, peers: int, live: bool) -> str:
    changes = CHANGES[peers]
    expected = changes * peers
    async with receivers(peers) as urls:
        url = await cpo_database(tmp / f"cpo-{peers}-{live}.db", urls)
        db = Database(url)
        worker = push_worker(Settings(database_url=url), db)
        try:
            if live:
                task = asyncio.create_task(worker.run())
                t0 = time.perf_counter()
                for i in range(changes):
                    await change(db, i)
                queued = time.perf_counter() - t0
                await wait_done(db, expected)
                seconds = time.perf_counter() - t0
                lat = await latencies(db)
                detail = (
                    f"changes made in {queued:.1f} s; per push p50 "
                    f"{percentile(lat, 50) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms"
                )
            else:
                t0 = time.perf_counter()
                for i in range(changes):
                    await change(db, i)
                queued = time.perf_counter() - t0
                t1 = time.perf_counter()
                task = asyncio.create_task(worker.run())
                await wait_done(db, expected)
                seconds = time.perf_counter() - t1
                detail = f"queued first at {changes / queued:.0f} changes/s"
            worker.stop()
            await task
        finally:
            await worker.close()
            await db.close()
    mode = "live" if live else "backlog"
    return (
        f"push ({mode}), {peers} peer{'s' if peers > 1 else ''}: {expected / seconds:.0f} "
        f"deliveries/s ({changes} EVSE status changes x {peers} = {expected} PATCHes DONE in "
        f"{seconds:.1f} s; {detail})"
    )


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for peers in (1, 10):
            for live in (True, False):
                print(await run_case(Path(tmp), peers, live), flush=True)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--receivers"]:
        asyncio.run(_receivers(int(sys.argv[2])))
    else:
        main()
