"""The push worker: delivers the outbox to peers, in order per object, with retries.

Guarantees (issue "durable push"; isolation: issue 8, item 3):

- **Nothing lost.** A message is marked DONE only after the peer answered 1xxx; a worker
  that dies mid-delivery leaves its claim to expire (``lock_seconds``), and another worker (or
  the same one after a restart) delivers the message again. Delivery is at least once; PUT and
  PATCH of a full state are idempotent.
- **In order per object.** Only the oldest PENDING message of each (peer, object) may be
  claimed, so a later change never overtakes an earlier one, whatever the number of workers.
- **Shared between workers.** Claims are conditional UPDATEs (``locked_until`` in the past),
  so two workers on one PostgreSQL never both deliver the same message.
- **Backoff.** Failures (unreachable, timeout, HTTP 5xx/429, OCPI 3xxx) are retried with
  exponential backoff and jitter (at least the ``Retry-After`` a 429 or 503 asks); after
  ``max_attempts`` the message is DEAD. A 2xxx answer (the peer rejects the data) is DEAD at
  once: sending it again cannot succeed. The operator can list DEAD messages and replay them.
- **One peer cannot stall the others.** Each peer has its own delivery *lane*: its own
  connections, at most ``concurrency`` messages in flight, its own backoff. One claim per
  round, for every peer whose lane can take more (none queued, half its slots free, not
  paused): a busy or paused peer's messages are left alone, so the others' are claimed and
  sent while it is still waiting. Every request has a total deadline (``timeout``, whatever
  the peer's pace), and a claimed message is sent only while its claim has room for two, so
  a claim is settled long before it expires. A peer that does not answer, times out, answers
  no OCPI envelope, HTTP 5xx or 429 *pauses its lane* (exponential, capped at
  ``peer_max_delay``, at least its ``Retry-After``): it is left out of the claims meanwhile.
- **A PATCH the peer cannot apply** because it lacks the object (404) is repaired by a PUT of
  the whole object (TF-14), so a peer that lost data or missed a PUT catches up by itself.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from ocpikit.catalog import receiver_path
from ocpikit.client.http import call, http_client
from ocpikit.errors import PeerError
from ocpikit.mappings.context import MapContext
from ocpikit.modules.common import lookup_context
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import Peer, PeerRepository
from ocpikit.storage.schema import outbox
from ocpikit.versions import PROFILES, V221, VersionProfile
from ocpikit.wire import render

__all__ = ["OutboxMessage", "PushWorker", "list_messages", "outbox_counts", "replay"]

log = logging.getLogger("ocpikit.push")


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    peer_id: int
    module: str
    object_ref: str
    method: str
    path: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "peer_id": self.peer_id,
            "module": self.module,
            "object": self.object_ref,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "created_at": self.created_at.isoformat(),
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
        }


def _message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        peer_id=row.peer_id,
        module=row.module,
        object_ref=row.object_ref,
        method=row.method,
        path=row.path,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def _unparsed(exc: PeerError) -> bool:
    """HTTP 400 or 422 without an OCPI envelope: the peer's framework refused the body.

    extrawest-ocpi answers so (FastAPI's ``{"detail": [...]}``) an object it cannot parse,
    e.g. a 2.1.1 Connector without the optional ``tariff_id``, which it requires.
    """
    return exc.status_code is None and exc.http_status in (400, 422)


def _permanent(exc: PeerError) -> bool:
    """The peer rejected the data (2xxx, or a body it cannot parse): it cannot succeed again.

    429 is retried.
    """
    rejected = exc.status_code is not None and 2000 <= exc.status_code < 3000
    return (rejected or _unparsed(exc)) and exc.http_status != 429


def _peer_down(exc: PeerError) -> bool:
    """The failure says the peer itself is in trouble, not that it refused this message.

    No answer (unreachable, reset, timeout), an answer that is not an OCPI envelope (truncated,
    HTML) unless it refuses the body (HTTP 400/422), HTTP 5xx or 429; an OCPI error code in a
    well-formed answer concerns the message.
    """
    no_envelope = exc.status_code is None and not _unparsed(exc)
    return no_envelope or exc.http_status == 429 or (exc.http_status or 0) >= 500


def _unknown_object(exc: PeerError) -> bool:
    """The peer's answer means "no such object" (HTTP 404, or OCPI 2003 Unknown Location)."""
    return exc.http_status == 404 or exc.status_code == 2003


def _key_of(object_ref: str) -> ObjectKey | None:
    """The key an outbox ``object_ref`` (``module:cc:party:id:type``) names."""
    parts = object_ref.split(":", 4)
    return ObjectKey(*parts) if len(parts) == 5 else None


@dataclass(frozen=True, slots=True)
class _Message:
    """A claimed outbox message: what sending it takes."""

    id: int
    peer_id: int
    module: str
    object_ref: str
    method: str
    path: str
    body: bytes | None
    from_country_code: str
    from_party_id: str
    to_country_code: str
    to_party_id: str
    attempts: int


def _claimed(row: Row[Any]) -> _Message:
    return _Message(
        id=row.id,
        peer_id=row.peer_id,
        module=row.module,
        object_ref=row.object_ref,
        method=row.method,
        path=row.path,
        body=row.body.encode() if row.body is not None else None,
        from_country_code=row.from_country_code,
        from_party_id=row.from_party_id,
        to_country_code=row.to_country_code,
        to_party_id=row.to_party_id,
        attempts=row.attempts,
    )


class _Lane:
    """One peer's deliveries: connections, claimed messages, those in flight, backoff."""

    def __init__(self, peer_id: int, client: httpx.AsyncClient) -> None:
        self.peer_id = peer_id
        self.client = client
        self.peer: Peer | None = None  # as read at the last claim
        self.task: asyncio.Task[None] | None = None
        self.queue: deque[_Message] = deque()  # claimed, not started
        self.usable_until = 0.0  # time.monotonic() after which the queued claims are too old
        self.in_flight: set[asyncio.Task[bool]] = set()
        self.accepted: list[_Message] = []  # delivered, not yet marked DONE
        self.failures = 0  # consecutive runs that ended with the peer failing
        self.resume_at = 0.0  # time.monotonic() before which nothing is claimed for the peer
        self.used_at = time.monotonic()
        self.tripped: PeerError | None = None  # the peer failed during this run
        self.succeeded = False

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def hungry(self, concurrency: int, now: float) -> bool:
        """May messages be claimed for this peer now?"""
        if self.resume_at > now or self.tripped is not None or self.queue:
            return False
        return 2 * len(self.in_flight) <= concurrency


class PushWorker:
    """Delivers due outbox messages until stopped, in one lane per peer.

    One claimer marks what the peers accepted DONE and claims due messages for every peer
    that can take more, in one transaction per round; each peer's lane sends its messages.

    Args:
        db: the node's database.
        batch: the most messages one claim takes (for all the peers it serves).
        concurrency: deliveries in flight at once per peer (different objects only).
        max_attempts: attempts before a message is DEAD.
        base_delay: first retry delay in seconds (doubles each attempt, with jitter); also the
            first pause of a failing peer.
        max_delay: retry delay cap in seconds (a ``Retry-After`` is honoured up to it).
        peer_max_delay: the longest pause of a failing peer's lane, unless it asks for more
            with ``Retry-After``.
        lock_seconds: how long a claim holds before another worker may take the message.
        poll_interval: pause between two claims when the last one found nothing more.
        timeout: the total deadline of each request to a peer, in seconds.
        stop_grace: seconds that deliveries in flight get to finish once :meth:`stop` is called.
        retention: how long DONE messages are kept (None: for ever); DEAD ones always are.
        prune_interval: seconds between two prunings of DONE messages.
        idle_seconds: a peer's connections are closed after this long without deliveries.
    """

    def __init__(
        self,
        db: Database,
        *,
        batch: int = 200,
        concurrency: int = 32,
        max_attempts: int = 12,
        base_delay: float = 1.0,
        max_delay: float = 900.0,
        peer_max_delay: float = 60.0,
        lock_seconds: float = 60.0,
        poll_interval: float = 0.25,
        timeout: float = 10.0,
        stop_grace: float = 3.0,
        retention: timedelta | None = timedelta(days=7),
        prune_interval: float = 600.0,
        idle_seconds: float = 60.0,
    ) -> None:
        self.db = db
        self.batch = batch
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.peer_max_delay = peer_max_delay
        self.lock_seconds = lock_seconds
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.stop_grace = stop_grace
        self.retention = retention
        self.prune_interval = prune_interval
        self.idle_seconds = idle_seconds
        self._next_prune = time.monotonic()
        self.name = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.delivered = 0
        self._stop = asyncio.Event()
        self._lanes: dict[int, _Lane] = {}
        self._hungry = asyncio.Event()  # a lane can take more: claim again without waiting
        if lock_seconds < 2 * timeout:
            # A message takes at most two requests (a PATCH and its repair PUT), each within
            # the deadline: a shorter lock could expire while the message is in flight.
            log.warning(
                "push lock of %.0f s is shorter than two peer timeouts (%.0f s): a slow "
                "peer's message may be claimed again while in flight",
                lock_seconds,
                timeout,
            )

    async def close(self) -> None:
        """Close every peer's connections."""
        lanes, self._lanes = list(self._lanes.values()), {}
        for lane in lanes:
            await lane.client.aclose()

    def stop(self) -> None:
        self._stop.set()
        self._hungry.set()

    async def run(self) -> None:
        """Deliver until :meth:`stop` is called; errors are logged, never fatal.

        Claims again at once while claims come back full or a lane asks for more, else after
        ``poll_interval``.

        Stopping lets the deliveries in flight finish for up to ``stop_grace`` seconds (a slow
        peer must not hold up a restart for its whole timeout), claiming nothing new and
        releasing what was claimed but not sent. Lanes still running then are cancelled and
        the claims of this worker released, so that another worker, or this one after its
        restart, sends them at once rather than after ``lock_seconds``. A peer may have
        applied a cancelled delivery: sending it again is the at-least-once promise.
        """
        try:
            while not self._stop.is_set():
                self._hungry.clear()
                try:
                    full = await self._round()
                except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup
                    log.exception("push round failed")
                    full = False
                await self._prune_when_due()
                await self._close_idle_lanes()
                if not full:
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._hungry.wait(), timeout=self.poll_interval)
        finally:
            await self._stop_lanes()

    async def run_once(self) -> int:
        """Claim once and deliver what was claimed; returns how many messages were handled."""
        claimed = await self._claim_round()
        lanes = [lane.task for lane in self._lanes.values() if lane.task is not None]
        await asyncio.gather(*lanes)
        delivered = self._accepted()
        async with self.db.transaction() as conn:
            await self._done(conn, delivered)
        self.delivered += len(delivered)
        return claimed

    async def _round(self) -> bool:
        """One claim; True when it came back full (more may be due at once)."""
        return await self._claim_round() >= self.batch

    async def _stop_lanes(self) -> None:
        tasks = [lane.task for lane in self._lanes.values() if lane.task and not lane.task.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=self.stop_grace)
        late = [task for task in tasks if not task.done()]
        if late:
            log.warning("push worker stopping: cancelling deliveries still in flight")
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        try:
            await self._release()
        except Exception:  # noqa: BLE001 - the claims expire after lock_seconds anyway
            log.exception("push worker could not release its claims")

    # ---- lanes ---------------------------------------------------------------------------

    def _lane(self, peer_id: int) -> _Lane:
        lane = self._lanes.get(peer_id)
        if lane is None:
            limits = httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            )
            lane = _Lane(peer_id, http_client(timeout=self.timeout, limits=limits))
            self._lanes[peer_id] = lane
        return lane

    def _accepted(self) -> list[_Message]:
        """Every lane's delivered messages not yet marked DONE (taken off the lanes)."""
        accepted: list[_Message] = []
        for lane in self._lanes.values():
            accepted += lane.accepted
            lane.accepted = []
        return accepted

    async def _close_idle_lanes(self) -> None:
        """Close the connections of peers without deliveries for ``idle_seconds``."""
        now = time.monotonic()
        for peer_id, lane in list(self._lanes.items()):
            idle = not lane.running and not lane.accepted and now - lane.used_at > self.idle_seconds
            if idle and lane.failures == 0:
                del self._lanes[peer_id]
                await lane.client.aclose()

    async def _claim_round(self) -> int:
        """Record deliveries, claim for every peer that can take more, hand out; how many."""
        now = time.monotonic()
        busy = [pid for pid, lane in self._lanes.items() if not lane.hungry(self.concurrency, now)]
        delivered = self._accepted()
        try:
            messages = await self._claim(self.batch, excluded=busy, done=delivered)
        except BaseException:
            for message in delivered:  # to be recorded by the next claim
                self._lane(message.peer_id).accepted.append(message)
            raise
        self.delivered += len(delivered)
        if not messages:
            return 0
        by_peer: dict[int, list[_Message]] = defaultdict(list)
        for message in messages:
            by_peer[message.peer_id].append(message)
        found = await self._peers(set(by_peer))
        usable_until = now + self.lock_seconds - min(2 * self.timeout, self.lock_seconds / 2)
        for peer_id, claimed in by_peer.items():
            lane = self._lane(peer_id)
            lane.peer = found.get(peer_id)
            lane.queue.extend(claimed)
            lane.usable_until = usable_until
            lane.used_at = now
            if not lane.running:
                lane.tripped, lane.succeeded = None, False
                lane.task = asyncio.create_task(self._drive(lane))
        return len(messages)

    async def _drive(self, lane: _Lane) -> None:
        """Send the lane's claimed messages, at most ``concurrency`` at once, until none is left.

        A message is sent only while its claim has room for two request deadlines (a PATCH
        and its repair PUT); claimed messages left unsent (the claim is running out, the peer
        is failing, the worker stopping) are released for a later claim, without an attempt.
        Wakes the claimer when half the slots are free and nothing is left to start.
        """
        try:
            while True:
                stale = time.monotonic() > lane.usable_until
                if lane.queue and (self._stop.is_set() or lane.tripped is not None or stale):
                    unsent, lane.queue = list(lane.queue), deque()
                    await self._unclaim(unsent)
                while lane.queue and len(lane.in_flight) < self.concurrency:
                    delivery = self._deliver(lane, lane.peer, lane.queue.popleft())
                    lane.in_flight.add(asyncio.create_task(delivery))
                if not lane.in_flight:  # and so nothing queued either
                    break
                done, _ = await asyncio.wait(lane.in_flight, return_when=asyncio.FIRST_COMPLETED)
                lane.in_flight -= done
                for task in done:
                    if (error := task.exception()) is not None:
                        log.error("push to peer %s failed", lane.peer_id, exc_info=error)
                if lane.hungry(self.concurrency, time.monotonic()):
                    self._hungry.set()
        except asyncio.CancelledError:
            for task in lane.in_flight:
                task.cancel()
            await asyncio.gather(*lane.in_flight, return_exceptions=True)
            lane.in_flight.clear()
            raise
        except Exception:  # noqa: BLE001 - a lane must not take the worker with it
            log.exception("push lane of peer %s failed", lane.peer_id)
            await asyncio.gather(*lane.in_flight, return_exceptions=True)
            lane.in_flight.clear()
            lane.resume_at = time.monotonic() + self.base_delay
        self._settle(lane)
        lane.used_at = time.monotonic()
        self._hungry.set()

    def _settle(self, lane: _Lane) -> None:
        """After a run: pause the lane of a peer that failed, or clear its failures."""
        exc, lane.tripped = lane.tripped, None
        if exc is None:
            if lane.succeeded:
                lane.failures = 0
            return
        lane.failures = 1 if lane.succeeded else lane.failures + 1
        ceiling = min(self.peer_max_delay, self.max_delay)
        pause = min(ceiling, self.base_delay * 2 ** (lane.failures - 1))
        pause *= random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not cryptography
        if exc.retry_after is not None:
            pause = max(pause, min(exc.retry_after, self.max_delay))
        lane.resume_at = time.monotonic() + pause
        log.warning(
            "push: peer %s failing (%s); its deliveries pause for %.1f s",
            lane.peer.name if lane.peer is not None else lane.peer_id,
            exc.message,
            pause,
        )

    # ---- housekeeping --------------------------------------------------------------------

    async def _prune_when_due(self) -> None:
        if self.retention is None or time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + self.prune_interval
        try:
            pruned = await self.prune(self.retention)
        except Exception:  # noqa: BLE001 - pruning is housekeeping: try again next time
            log.exception("pruning delivered outbox messages failed")
            return
        if pruned:
            log.info("pruned %d outbox messages delivered over %s ago", pruned, self.retention)

    async def prune(self, older_than: timedelta, *, batch: int = 5000) -> int:
        """Delete DONE messages delivered more than ``older_than`` ago; returns how many.

        A table that only grew would slow every claim and fill the disk of a busy node. DEAD
        messages stay until the operator replays them; PENDING ones are never touched. Deleted
        in batches, each its own short transaction, so writers are not held up.
        """
        cutoff = datetime.now(UTC) - older_than
        old = (
            select(outbox.c.id)
            .where(
                outbox.c.status == "DONE",
                outbox.c.next_attempt_at < cutoff,  # ix_outbox_due: a range, not a scan
                outbox.c.delivered_at < cutoff,
            )
            .limit(batch)
        )
        total = 0
        while True:
            async with self.db.transaction() as conn:
                result = await conn.execute(
                    delete(outbox).where(outbox.c.id.in_(old.scalar_subquery()))
                )
            total += int(result.rowcount)
            if result.rowcount < batch:
                return total

    async def _release(self) -> None:
        """After cancelled lanes: record what the peers accepted, free the other claims."""
        delivered = self._accepted()
        async with self.db.transaction() as conn:
            await self._done(conn, delivered)
            await conn.execute(
                update(outbox)
                .where(outbox.c.locked_by == self.name, outbox.c.status == "PENDING")
                .values(locked_by=None, locked_until=None)
            )
        self.delivered += len(delivered)

    # ---- claims --------------------------------------------------------------------------

    async def _claim(
        self,
        limit: int,
        *,
        excluded: Sequence[int] = (),
        done: Sequence[_Message] = (),
    ) -> list[_Message]:
        """Claim up to ``limit`` due messages, each the oldest PENDING of its (peer, object).

        Peers in ``excluded`` (busy or paused lanes) get none: the others' messages are
        claimed however long a slow peer's backlog. ``done`` (delivered messages) are marked
        DONE first, in the same transaction, so the next message of their object is due. The
        claim is a conditional UPDATE (still PENDING, still free), so of several workers on
        one PostgreSQL only one gets each message; the ones read back are this worker's.
        """
        now = datetime.now(UTC)
        earlier = aliased(outbox)
        is_head = ~(
            select(earlier.c.id)
            .where(
                earlier.c.peer_id == outbox.c.peer_id,
                earlier.c.object_ref == outbox.c.object_ref,
                earlier.c.status == "PENDING",
                earlier.c.id < outbox.c.id,
            )
            .exists()
        )
        free = (outbox.c.locked_until.is_(None)) | (outbox.c.locked_until < now)
        due = [outbox.c.status == "PENDING", outbox.c.next_attempt_at <= now, free, is_head]
        if excluded:
            due.append(outbox.c.peer_id.not_in(list(excluded)))
        async with self.db.transaction() as conn:
            await self._done(conn, done)
            ids = list(
                (
                    await conn.execute(
                        select(outbox.c.id).where(*due).order_by(outbox.c.id).limit(limit)
                    )
                ).scalars()
            )
            if not ids:
                return []
            await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids), outbox.c.status == "PENDING", free)
                .values(
                    locked_by=self.name,
                    locked_until=now + timedelta(seconds=self.lock_seconds),
                )
            )
        async with self.db.connect() as conn:
            result = await conn.execute(
                select(outbox)
                .where(outbox.c.id.in_(ids), outbox.c.locked_by == self.name)
                .order_by(outbox.c.id)
            )
            return [_claimed(row) for row in result]

    async def _peers(self, ids: set[int]) -> dict[int, Peer]:
        async with self.db.connect() as conn:
            repo = PeerRepository(conn)
            found = {pid: await repo.get(pid) for pid in ids}
        return {pid: peer for pid, peer in found.items() if peer is not None}

    # ---- one message ---------------------------------------------------------------------

    async def _deliver(self, lane: _Lane, peer: Peer | None, message: _Message) -> bool:
        """Send one message; True when the peer accepted it (marked DONE with the next flush)."""
        if peer is None or peer.status != "REGISTERED" or not peer.token_out:
            await self._finish(message, "DEAD", "the peer is no longer registered")
            return False
        if peer.endpoint(message.module, "RECEIVER") is None:
            error = f"the peer no longer offers a {message.module} receiver"
            await self._finish(message, "DEAD", error)
            return False
        try:
            await self._send(peer, message)
        except PeerError as exc:
            if message.method == "PATCH" and _unknown_object(exc):
                accepted = await self._put_instead(lane, peer, message, exc)
            else:
                await self._failed(lane, message, exc, exc.message)
                accepted = False
        else:
            accepted = True
        if accepted:
            lane.accepted.append(message)
            lane.succeeded = True
        return accepted

    async def _send(self, peer: Peer, message: _Message) -> None:
        """Build and send the request of one message, from its party to the peer's.

        The one place where an outbox message becomes an HTTP request (the body as stored).
        Bounded by the total deadline of the lane's client (``timeout``).

        Raises:
            PeerError: unreachable, no full answer within the deadline, HTTP or OCPI error.
        """
        base = peer.endpoint(message.module, "RECEIVER") or ""
        version = PROFILES.get(peer.version or "", V221)
        body = message.body
        if not version.canonical and body is not None:
            body = await self._render(version, message, body)
            if body is None:
                log.info(
                    "push %s: %s has no OCPI %s form; not sent to peer %s",
                    message.id,
                    message.object_ref,
                    version.version,
                    peer.id,
                )
                return
        routing = {
            "OCPI-from-country-code": message.from_country_code,
            "OCPI-from-party-id": message.from_party_id,
            "OCPI-to-country-code": message.to_country_code,
            "OCPI-to-party-id": message.to_party_id,
        }
        await call(
            self._lane(peer.id).client,
            message.method,
            base.rstrip("/") + message.path,
            token=peer.token_out or "",
            encoding=peer.token_encoding,
            content=body,
            headers=routing if version.routing_headers else {},
        )

    async def _render(
        self, version: VersionProfile, message: _Message, body: bytes
    ) -> bytes | None:
        """An outbox body (domain JSON) in ``version``'s form, or None if it has none there.

        What the body is follows from the message: a Locations path of 3, 4 or 5 segments
        is a Location, an EVSE or a Connector; a PATCH carries a partial object.
        """
        segments = len(message.path.split("?", 1)[0].strip("/").split("/"))
        part = None
        if message.module == "locations":
            part = {4: "evse", 5: "connector"}.get(segments, "location")
        obj = orjson.loads(body)
        ctx = MapContext(
            message.from_country_code,
            message.from_party_id,
            peer_country_code=message.to_country_code,
            peer_party_id=message.to_party_id,
        )
        ctx = await lookup_context(self.db, ctx, message.module, [obj])
        patch = message.method == "PATCH"
        rendered = render(version, message.module, obj, ctx, part=part, patch=patch)
        return None if rendered is None else orjson.dumps(rendered)

    async def _put_instead(
        self, lane: _Lane, peer: Peer, message: _Message, exc: PeerError
    ) -> bool:
        """A PATCH the peer answered "unknown object": send the whole object with PUT.

        ``transport_and_format.asciidoc §PATCH`` (TF-14): "If a PATCH fails, the client is
        expected to GET the object; if it does not exist the client should PUT it." The peer has
        just said it does not have the object, and we own it, so the GET is skipped: the PUT of
        our current state (at least as new as the PATCH) repairs the peer's copy, and the PATCH
        messages queued after this one apply on top of it.
        """
        key = _key_of(message.object_ref)
        async with self.db.connect() as conn:
            stored = await ObjectStore(conn).get(key) if key is not None else None
        if stored is None or not stored.is_local:
            error = f"{exc.message}; the object is gone here too"
            await self._failed(lane, message, exc, error, permanent=True)
            return False
        data = stored.parsed()
        path = receiver_path(message.module, data)
        whole = replace(message, method="PUT", path=path, body=orjson.dumps(data))
        try:
            await self._send(peer, whole)
        except PeerError as put_exc:
            error = f"PATCH: {exc.message}; PUT {path} instead: {put_exc.message}"
            await self._failed(lane, message, put_exc, error)
            return False
        log.info("push %s: peer %s lacked %s, sent it whole (PUT)", message.id, peer.id, path)
        return True

    # ---- outcomes ------------------------------------------------------------------------

    async def _done(self, conn: AsyncConnection, messages: Sequence[_Message]) -> None:
        """Mark delivered messages DONE, within ``conn``."""
        if not messages:
            return
        now = datetime.now(UTC)
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_([m.id for m in messages]), outbox.c.locked_by == self.name)
            .values(
                status="DONE",
                last_error=None,
                attempts=outbox.c.attempts + 1,
                delivered_at=now,
                locked_by=None,
                locked_until=None,
            )
        )

    async def _unclaim(self, messages: Sequence[_Message]) -> None:
        """Release claimed messages that were not sent, for the next claim (no attempt)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                update(outbox)
                .where(
                    outbox.c.id.in_([m.id for m in messages]),
                    outbox.c.locked_by == self.name,
                    outbox.c.status == "PENDING",
                )
                .values(locked_by=None, locked_until=None)
            )

    async def _finish(self, message: _Message, status: str, error: str | None) -> None:
        now = datetime.now(UTC)
        async with self.db.transaction() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == message.id, outbox.c.locked_by == self.name)
                .values(
                    status=status,
                    last_error=error,
                    attempts=message.attempts + 1,
                    delivered_at=now if status == "DONE" else None,
                    locked_by=None,
                    locked_until=None,
                )
            )

    async def _failed(
        self,
        lane: _Lane,
        message: _Message,
        exc: PeerError,
        error: str,
        *,
        permanent: bool | None = None,
    ) -> None:
        """Record a failed attempt: DEAD, or retried later; a peer in trouble pauses its lane."""
        if _peer_down(exc) and lane.tripped is None:
            lane.tripped = exc
        attempts = message.attempts + 1
        if _permanent(exc) if permanent is None else permanent:
            attempts = self.max_attempts
        if attempts >= self.max_attempts:
            log.warning("push %s to peer %s is DEAD: %s", message.id, message.peer_id, error)
            await self._finish(message, "DEAD", error)
            return
        delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
        delay *= random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not cryptography
        if exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, self.max_delay))
        async with self.db.transaction() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == message.id, outbox.c.locked_by == self.name)
                .values(
                    attempts=attempts,
                    last_error=error,
                    next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay),
                    locked_by=None,
                    locked_until=None,
                )
            )


async def list_messages(
    db: Database, *, status: str | None = None, peer_id: int | None = None, limit: int = 100
) -> list[OutboxMessage]:
    """Outbox messages, newest first (for the operator)."""
    query = select(outbox)
    if status is not None:
        query = query.where(outbox.c.status == status)
    if peer_id is not None:
        query = query.where(outbox.c.peer_id == peer_id)
    async with db.connect() as conn:
        rows = await conn.execute(query.order_by(outbox.c.id.desc()).limit(limit))
        return [_message(r) for r in rows]


async def outbox_counts(db: Database) -> dict[str, int]:
    """How many messages are PENDING, DONE and DEAD."""
    async with db.connect() as conn:
        rows = await conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
        counts: dict[str, int] = defaultdict(int)
        for status, count in rows:
            counts[status] = int(count)
    return {s: counts[s] for s in ("PENDING", "DONE", "DEAD")}


async def replay(db: Database, ids: Sequence[int]) -> int:
    """Put DEAD messages back in the queue (attempts reset); returns how many."""
    async with db.transaction() as conn:
        result = await conn.execute(
            update(outbox)
            .where(and_(outbox.c.id.in_(list(ids)), outbox.c.status == "DEAD"))
            .values(
                status="PENDING",
                attempts=0,
                next_attempt_at=datetime.now(UTC),
                last_error=None,
                locked_by=None,
                locked_until=None,
            )
        )
        return int(result.rowcount)
