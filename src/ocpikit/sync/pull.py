"""Pull sync: GET a peer's Sender lists into our store (TF-59: resync after outages).

:func:`pull` crawls one module of one peer, page by page, in constant memory (one page at
a time; a full pull of a module with a "new truth" rule also keeps the ids it saw):

- **Incremental by default**: ``date_from`` is the start time of the last successful pull
  of that peer and module (kept in ``node_config`` as ``sync:<peer_id>:<module>``), less
  :data:`CLOCK_SKEW` so that objects the peer stamped with a clock slightly behind ours are
  not missed. Objects seen twice are counted ``unchanged``. The first pull is a full one.
- **Tolerant**: objects we cannot use are skipped and counted (``invalid``), objects of a
  party the peer does not own are skipped and counted (``foreign``, TF-65), and an older
  object never replaces a newer one (``stale``, X-07).
- **Events**: every created or changed object appends ``<singular>.created`` /
  ``<singular>.updated`` (``data.source = "pull"``), the same kinds as a pushed change, so
  the operator's systems handle both alike; each successful pull appends one
  ``sync.completed`` event with its report.
- **Full pulls** make the peer's list the new truth (TF-55): see
  :mod:`ocpikit.sync.pull_modules` for what becomes of objects no longer listed (Locations
  are never deleted: their EVSEs become ``REMOVED``).

:func:`run_periodic_sync` runs pulls on a schedule inside ``ocpikit serve`` (TF-58: hours,
with random splay).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from ocpikit.client.ocpi import LIST_MODELS, OcpiClient
from ocpikit.client.paging import PageCursor
from ocpikit.client.peer import ClientOptions
from ocpikit.errors import PeerError
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import LocalParty, PartyRepository, Peer, PeerRepository
from ocpikit.sync.pull_modules import PULLABLE, spec
from ocpikit.sync.pull_store import SyncReport, last_sync, record_sync, store_page, sweep

__all__ = [
    "CLOCK_SKEW",
    "DEFAULT_INTERVAL",
    "SyncReport",
    "pull",
    "pullable_modules",
    "run_periodic_sync",
]

log = logging.getLogger("ocpikit.sync")

CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_INTERVAL = 6 * 3600.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def pullable_modules(peer: Peer) -> list[str]:
    """The modules whose Sender interface the peer offers and that we pull, in order."""
    return [m for m in PULLABLE if peer.endpoint(m, "SENDER") is not None]


async def pull(
    db: Database,
    peer: Peer,
    module: str,
    full: bool,
    client: OcpiClient,
    *,
    page_size: int | None = None,
    on_page: Callable[[SyncReport], None] | None = None,
) -> SyncReport:
    """Pull one module of one peer's Sender interface into the store.

    Args:
        db: our database.
        peer: the registered peer (``client`` talks to it).
        module: a module of :data:`~ocpikit.sync.pull_modules.PULLABLE`.
        full: ignore the last sync: fetch everything, and apply the "new truth" rule.
        client: the peer's client.
        page_size: the ``limit`` to ask for (None: the peer's default).
        on_page: called after each stored page with the report so far (progress).

    Raises:
        ValueError: for a module that is not pulled.
        ModuleNotOffered: when the peer has no Sender interface for it.
        PeerError: when a page cannot be fetched; pages stored before stay stored, and the
            sync state does not move, so the next pull fetches them again.
    """
    if module not in PULLABLE:
        raise ValueError(f"{module} is not pulled; choose one of {', '.join(PULLABLE)}")
    rules = spec(module)
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    since = None if full else await last_sync(db, peer.id, module)
    report = SyncReport(peer_id=peer.id, module=module, full=full or since is None)
    date_from = since - CLOCK_SKEW if since is not None else None
    if date_from is None and module == "sessions":
        date_from = _EPOCH  # TF-51: a Sessions list requires date_from
    report.since = since.isoformat() if since is not None else None
    model, identity = LIST_MODELS[module]
    seen: set[tuple[str, str, str]] | None = None
    if report.full and rules.gone != "keep":
        seen = set()
    cursor = PageCursor(client.endpoint(module, "SENDER"))
    async for page in client.pages(
        module,
        model,
        date_from=date_from,
        page_size=page_size,
        identity=identity,
        cursor=cursor,
    ):
        await store_page(db, rules, peer, page.items, report, seen)
        report.pages += 1
        report.total = page.total
        report.seconds = time.perf_counter() - clock
        if on_page is not None:
            on_page(report)
    report.quirks = list(cursor.quirks)
    if seen is not None:
        report.removed = await sweep(db, rules, peer, seen)
    report.seconds = time.perf_counter() - clock
    await record_sync(db, report, started_at)
    log.info("pulled from %s: %s", peer.name, report.summary())
    return report


# ---- periodic sync (inside `ocpikit serve`) --------------------------------------------------


async def _registered(db: Database) -> tuple[list[Peer], list[LocalParty]]:
    async with db.connect() as conn:
        peers = [
            p for p in await PeerRepository(conn).list() if p.status == "REGISTERED" and p.token_out
        ]
        parties = await PartyRepository(conn).list()
    return peers, parties


class _Schedule:
    """When each (peer, module) is due next; one pooled client per peer."""

    def __init__(self, interval: float, splay: float, options: ClientOptions | None) -> None:
        self.interval, self.splay, self.options = interval, splay, options
        self.due: dict[tuple[int, str], datetime] = {}
        self.clients: dict[int, tuple[datetime, OcpiClient]] = {}

    def _jitter(self, ceiling: float) -> timedelta:
        return timedelta(seconds=random.uniform(0, max(0.0, ceiling)))

    async def plan(self, db: Database, peers: list[Peer], now: datetime) -> None:
        live = {(p.id, m) for p in peers for m in pullable_modules(p)}
        for gone in set(self.due) - live:
            del self.due[gone]
        for peer_id in set(self.clients) - {p.id for p in peers}:
            await self.clients.pop(peer_id)[1].aclose()
        for key in sorted(live - set(self.due)):
            last = await last_sync(db, *key)
            if last is None:  # never pulled: soon, but not every peer at once
                self.due[key] = now + self._jitter(min(self.splay, 300.0))
            else:
                self.due[key] = max(now, last + timedelta(seconds=self.interval))
                self.due[key] += self._jitter(self.splay)

    async def client(self, peer: Peer, parties: list[LocalParty]) -> OcpiClient:
        held = self.clients.get(peer.id)
        if held is not None and held[0] == peer.updated_at:
            return held[1]
        if held is not None:  # token or endpoints changed: start afresh
            await held[1].aclose()
        client = OcpiClient(peer, parties, options=self.options)
        self.clients[peer.id] = (peer.updated_at, client)
        return client

    def done(self, key: tuple[int, str], now: datetime, *, failed: bool) -> None:
        wait = min(self.interval, 900.0) if failed else self.interval
        self.due[key] = now + timedelta(seconds=wait) + self._jitter(self.splay)

    async def close(self) -> None:
        for _, client in self.clients.values():
            await client.aclose()
        self.clients.clear()


async def run_periodic_sync(
    db: Database,
    interval_seconds: float = DEFAULT_INTERVAL,
    stop_event: asyncio.Event | None = None,
    *,
    splay_seconds: float | None = None,
    rescan_seconds: float = 60.0,
    options: ClientOptions | None = None,
) -> None:
    """Pull every Sender module of every registered peer every ``interval_seconds``.

    Each (peer, module) has its own schedule: one ``interval_seconds`` after its last
    successful pull, plus a random splay (default a tenth of the interval; TF-58); a pair
    never pulled before is pulled within minutes. A failed pull is tried again after at
    most 15 minutes. Peers registered (or removed) while running are picked up within
    ``rescan_seconds``. Returns when ``stop_event`` is set (at once when ``interval_seconds``
    is 0: disabled); never raises for a peer's fault. Run it in one process only (several
    ``serve`` workers would each pull).
    """
    if interval_seconds <= 0:
        log.info("periodic sync is disabled (interval %s)", interval_seconds)
        return
    stop = stop_event or asyncio.Event()
    splay = interval_seconds / 10 if splay_seconds is None else splay_seconds
    schedule = _Schedule(interval_seconds, splay, options)
    try:
        while not stop.is_set():
            try:
                await _run_due(db, schedule, stop)
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                log.exception("periodic sync: scheduling failed; trying again")
            now = datetime.now(UTC)
            nearest = min(schedule.due.values(), default=now + timedelta(seconds=rescan_seconds))
            wait = min(rescan_seconds, max(0.05, (nearest - now).total_seconds()))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)
    finally:
        await schedule.close()


async def _run_due(db: Database, schedule: _Schedule, stop: asyncio.Event) -> None:
    peers, parties = await _registered(db)
    await schedule.plan(db, peers, datetime.now(UTC))
    by_id = {p.id: p for p in peers}
    for key, when in sorted(schedule.due.items(), key=lambda kv: kv[1]):
        if stop.is_set() or when > datetime.now(UTC):
            continue
        peer = by_id[key[0]]
        try:
            await pull(db, peer, key[1], False, await schedule.client(peer, parties))
        except PeerError as exc:
            log.warning("periodic sync of %s from %s failed: %s", key[1], peer.name, exc)
            schedule.done(key, datetime.now(UTC), failed=True)
        except Exception:  # noqa: BLE001 - one failing pull must not stop the others
            log.exception("periodic sync of %s from %s failed", key[1], peer.name)
            schedule.done(key, datetime.now(UTC), failed=True)
        else:
            schedule.done(key, datetime.now(UTC), failed=False)
