"""Pull sync: a full pull of 10,000 locations (2 EVSEs each) into a fresh eMSP SQLite database.

The CPO is one `ocpikit serve` process on loopback, seeded like ``bench_locations``. The pull
runs in a child process of this one (``python -m bench.bench_pull --child``) with
:func:`ocpikit.sync.pull.pull`, the code behind ``ocpikit sync``, with the peer's default page
size (the server caps ``limit`` at 1,000). The child reports the pull's wall time and its own
peak resident set size (``VmHWM`` of ``/proc/self/status``: the whole process, interpreter,
imports and the pull; ``ru_maxrss`` would carry this parent's high-water mark over the
fork + exec), and the RSS it had just before pulling (after imports and opening the database),
so that the pull's own share shows. Targets: under 10 s and under 200 MB.

``BENCH_PROFILE=1`` also prints the child's cProfile (cumulative, top 30); ``BENCH_TRACEMALLOC=1``
prints tracemalloc's peak of Python allocations during the pull (slower: not the timed figure).

Run: ``.venv/bin/python -m bench.bench_pull``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.bench_locations import LOCATIONS, seed
from bench.support import add_peer, free_port, init_node, serve

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
TARGET_MB = 200.0


async def _child(database_url: str) -> dict:
    """The pull itself, in this (child) process; returns the figures."""
    import cProfile
    import io
    import pstats
    import tracemalloc

    from bench.support import peak_rss_mb, rss_mb
    from ocpikit.client.ocpi import OcpiClient
    from ocpikit.client.peer import ClientOptions
    from ocpikit.storage.db import Database
    from ocpikit.storage.objects import ListQuery, ObjectStore
    from ocpikit.storage.repositories import PartyRepository, PeerRepository
    from ocpikit.sync.pull import pull

    db = Database(database_url)
    async with db.connect() as conn:
        [peer] = await PeerRepository(conn).list()
        parties = await PartyRepository(conn).list()
    before = rss_mb()
    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    tracing = bool(os.environ.get("BENCH_TRACEMALLOC"))
    if tracing:
        tracemalloc.start()
    if profile is not None:
        profile.enable()
    t0 = time.perf_counter()
    async with OcpiClient(peer, parties, options=ClientOptions()) as client:
        report = await pull(db, peer, "locations", True, client)
    seconds = time.perf_counter() - t0
    if profile is not None:
        profile.disable()
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if tracing else None
    peak = peak_rss_mb()
    async with db.connect() as conn:
        stored = await ObjectStore(conn).all(ListQuery(module="locations"))
        evses = sum(len(orjson.loads(o.data)["evses"]) for o in stored)
    await db.close()
    figures = {
        "seconds": seconds,
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "traced_peak_mb": traced,
        "new": report.new,
        "pages": report.pages,
        "skipped": report.skipped,
        "stored": len(stored),
        "evses": evses,
    }
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
        figures["profile"] = out.getvalue()
    return figures


def _pull_in_child(database_url: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_pull", "--child", database_url],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the pull failed: {result.stderr.decode()}")
    return orjson.loads(result.stdout.splitlines()[-1])


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cpo_db = f"sqlite:///{Path(tmp) / 'cpo.db'}"
        port = free_port()
        cpo_url = f"http://127.0.0.1:{port}"
        await init_node(cpo_db, cpo_url, [("NL", "CPO", "CPO")])
        t0 = time.perf_counter()
        await seed(cpo_db)
        print(f"seeded {LOCATIONS} locations x 2 EVSEs in {time.perf_counter() - t0:.1f} s")
        token = await add_peer(cpo_db, "DE", "MSP", "EMSP")

        emsp_db = f"sqlite:///{Path(tmp) / 'emsp.db'}"
        await init_node(emsp_db, "http://127.0.0.1:9", [("DE", "MSP", "EMSP")])
        sender = f"{cpo_url}/ocpi/2.2.1/sender/locations"
        endpoints = [{"identifier": "locations", "role": "SENDER", "url": sender}]
        await add_peer(emsp_db, "NL", "CPO", "CPO", endpoints, token_out=token)

        async with serve(cpo_db, port):
            # Blocking is fine: nothing else runs in this loop while the child pulls.
            figures = await asyncio.to_thread(_pull_in_child, emsp_db)
        assert figures["new"] == LOCATIONS == figures["stored"], figures
        assert figures["evses"] == 2 * LOCATIONS and figures["skipped"] == 0, figures
        seconds, peak = figures["seconds"], figures["peak_rss_mb"]
        verdict = "meets" if seconds < TARGET_SECONDS and peak < TARGET_MB else "MISSES"
        print(
            f"full pull of {LOCATIONS} locations ({figures['evses']} EVSEs, "
            f"{figures['pages']} pages) into a fresh SQLite eMSP: {seconds:.1f} s, "
            f"{LOCATIONS / seconds:.0f} locations/s; pulling process peak RSS "
            f"{peak:.0f} MB ({figures['rss_before_mb']:.0f} MB before the pull) "
            f"- {verdict} the targets (<{TARGET_SECONDS:.0f} s, <{TARGET_MB:.0f} MB)"
        )
        if figures["traced_peak_mb"] is not None:
            print(f"tracemalloc peak during the pull: {figures['traced_peak_mb']:.1f} MB")
        if "profile" in figures:
            print(figures["profile"])


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(orjson.dumps(asyncio.run(_child(sys.argv[2]))).decode())
    else:
        main()
