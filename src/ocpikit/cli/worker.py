"""``ocpikit worker``: the outbox push worker alone, for scale-out next to `serve`."""

from __future__ import annotations

import asyncio
import signal

from ocpikit.app import push_worker
from ocpikit.cli.common import DatabaseOption, open_database, run, stdout
from ocpikit.config import Settings

__all__ = ["worker"]


async def _work(url: str) -> None:
    db = await open_database(url)
    worker = push_worker(Settings(database_url=url), db)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, worker.stop)
    stdout.print(f"push worker {worker.name} running; Ctrl-C to stop", markup=False)
    try:
        await worker.run()
    finally:
        await worker.close()
        await db.close()
    stdout.print(f"stopped after {worker.delivered} deliveries", markup=False)


def worker(database: DatabaseOption) -> None:
    """Deliver queued changes to peers (run several on one PostgreSQL to share the work)."""
    run(_work(database))
