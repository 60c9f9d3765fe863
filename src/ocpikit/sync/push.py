"""The push worker: delivers the outbox to peers, in order per object, with retries.

Guarantees (issue "durable push"):

- **Nothing lost.** A message is marked DONE only after the peer answered 1xxx; a worker
  that dies mid-delivery leaves its claim to expire (``lock_seconds``), and another worker (or
  the same one after a restart) delivers the message again. Delivery is at least once; PUT and
  PATCH of a full state are idempotent.
- **In order per object.** Only the oldest PENDING message of each (peer, object) may be
  claimed, so a later change never overtakes an earlier one, whatever the number of workers.
- **Shared between workers.** Claims are conditional UPDATEs (``locked_until`` in the past),
  so two workers on one PostgreSQL never both deliver the same message.
- **Backoff.** Failures (unreachable, timeout, HTTP 5xx/429, OCPI 3xxx) are retried with
  exponential backoff and jitter; after ``max_attempts`` the message is DEAD. A 2xxx answer
  (the peer rejects the data) is DEAD at once: sending it again cannot succeed. The operator
  can list DEAD messages and replay them.
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
from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from ocpikit.client.http import call, http_client
from ocpikit.errors import PeerError
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import Peer, PeerRepository
from ocpikit.storage.schema import outbox

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


def _permanent(exc: PeerError) -> bool:
    """The peer rejected the data (2xxx): sending it again cannot succeed. 429 is retried."""
    rejected = exc.status_code is not None and 2000 <= exc.status_code < 3000
    return rejected and exc.http_status != 429


def _unknown_object(exc: PeerError) -> bool:
    """The peer's answer means "no such object" (HTTP 404, or OCPI 2003 Unknown Location)."""
    return exc.http_status == 404 or exc.status_code == 2003


def _key_of(object_ref: str) -> ObjectKey | None:
    """The key an outbox ``object_ref`` (``module:cc:party:id:type``) names."""
    parts = object_ref.split(":", 4)
    return ObjectKey(*parts) if len(parts) == 5 else None


def _full_path(module: str, data: dict[str, Any]) -> str:
    """The Receiver path of a whole object, spelled as the object spells its ids."""
    if module == "tokens":
        return f"/{data['country_code']}/{data['party_id']}/{data['uid']}?type={data['type']}"
    return f"/{data['country_code']}/{data['party_id']}/{data['id']}"


class PushWorker:
    """Delivers due outbox messages until stopped.

    Args:
        db: the node's database.
        batch: messages claimed per round.
        concurrency: deliveries in flight at once (different objects only).
        max_attempts: attempts before a message is DEAD.
        base_delay: first retry delay in seconds (doubles each attempt, with jitter).
        max_delay: retry delay cap in seconds.
        lock_seconds: how long a claim holds before another worker may take the message.
        poll_interval: pause when nothing is due.
        timeout: seconds to wait for a peer's answer.
        stop_grace: seconds that deliveries in flight get to finish once :meth:`stop` is called.
        retention: how long DONE messages are kept (None: for ever); DEAD ones always are.
        prune_interval: seconds between two prunings of DONE messages.
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
        lock_seconds: float = 60.0,
        poll_interval: float = 0.25,
        timeout: float = 10.0,
        stop_grace: float = 3.0,
        retention: timedelta | None = timedelta(days=7),
        prune_interval: float = 600.0,
    ) -> None:
        self.db = db
        self.batch = batch
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lock_seconds = lock_seconds
        self.poll_interval = poll_interval
        self.stop_grace = stop_grace
        self.retention = retention
        self.prune_interval = prune_interval
        self._next_prune = time.monotonic()
        self.name = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.client = http_client(
            timeout=timeout, limits=httpx.Limits(max_connections=concurrency * 2)
        )
        self.delivered = 0
        self._stop = asyncio.Event()
        self._accepted: list[Row[Any]] = []

    async def close(self) -> None:
        await self.client.aclose()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Deliver until :meth:`stop` is called; errors are logged, never fatal.

        Stopping lets the deliveries in flight finish for up to ``stop_grace`` seconds (a slow
        peer must not hold up a restart for its whole timeout). Deliveries still running then
        are cancelled and the claims of this worker released, so that another worker, or this
        one after its restart, sends them at once rather than after ``lock_seconds``. A peer
        may have applied a cancelled delivery: sending it again is the at-least-once promise.
        """
        stopping = asyncio.ensure_future(self._stop.wait())
        round_: asyncio.Future[int] | None = None
        try:
            while not self._stop.is_set():
                round_ = asyncio.ensure_future(self.run_once())
                await asyncio.wait({round_, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not round_.done():
                    await asyncio.wait({round_}, timeout=self.stop_grace)
                if not round_.done():
                    log.warning("push worker stopping: cancelling deliveries still in flight")
                    break
                try:
                    done = round_.result()
                except Exception:  # noqa: BLE001 - the worker must outlive a bad round
                    log.exception("push round failed")
                    done = 0
                await self._prune_when_due()
                if done == 0:
                    await asyncio.wait({stopping}, timeout=self.poll_interval)
        finally:
            stopping.cancel()
            if round_ is not None and not round_.done():
                round_.cancel()
                with suppress(asyncio.CancelledError):
                    await round_
                try:
                    await self._release()
                except Exception:  # noqa: BLE001 - the claims expire after lock_seconds anyway
                    log.exception("push worker could not release its claims")

    async def run_once(self) -> int:
        """Claim and deliver one batch; returns how many messages were handled."""
        rows = await self._claim()
        if not rows:
            return 0
        peers = await self._peers({r.peer_id for r in rows})
        semaphore = asyncio.Semaphore(self.concurrency)
        accepted = self._accepted = []

        async def deliver(row: Row[Any]) -> None:
            async with semaphore:
                if await self._deliver(row, peers.get(row.peer_id)):
                    accepted.append(row)

        await asyncio.gather(*(deliver(r) for r in rows))
        await self._done(accepted)
        self._accepted = []
        return len(rows)

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
        """After a cancelled round: record what the peers accepted, free the other claims."""
        await self._done(self._accepted)
        self._accepted = []
        async with self.db.transaction() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.locked_by == self.name, outbox.c.status == "PENDING")
                .values(locked_by=None, locked_until=None)
            )

    async def _claim(self) -> list[Row[Any]]:
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
        async with self.db.transaction() as conn:
            ids = list(
                (
                    await conn.execute(
                        select(outbox.c.id)
                        .where(
                            outbox.c.status == "PENDING",
                            outbox.c.next_attempt_at <= now,
                            free,
                            is_head,
                        )
                        .order_by(outbox.c.id)
                        .limit(self.batch)
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
            return list(result)

    async def _peers(self, ids: set[int]) -> dict[int, Peer]:
        async with self.db.connect() as conn:
            repo = PeerRepository(conn)
            found = {pid: await repo.get(pid) for pid in ids}
        return {pid: peer for pid, peer in found.items() if peer is not None}

    async def _deliver(self, row: Row[Any], peer: Peer | None) -> bool:
        """Send one message; True when the peer accepted it (marked DONE with its batch)."""
        if peer is None or peer.status != "REGISTERED" or not peer.token_out:
            await self._finish(row, "DEAD", "the peer is no longer registered")
            return False
        base = peer.endpoint(row.module, "RECEIVER")
        if base is None:
            await self._finish(row, "DEAD", f"the peer no longer offers a {row.module} receiver")
            return False
        body = orjson.loads(row.body) if row.body is not None else None
        try:
            await self._send(row, peer, base, row.method, row.path, body)
        except PeerError as exc:
            if row.method == "PATCH" and _unknown_object(exc):
                return await self._put_instead(row, base, peer, exc)
            await self._failed(row, exc.message, permanent=_permanent(exc))
            return False
        return True

    async def _send(
        self, row: Row[Any], peer: Peer, base: str, method: str, path: str, body: Any
    ) -> None:
        """One request of a message, from its party to the peer's (raises PeerError)."""
        await call(
            self.client,
            method,
            base.rstrip("/") + path,
            token=peer.token_out or "",
            encoding=peer.token_encoding,
            json=body,
            headers={
                "OCPI-from-country-code": row.from_country_code,
                "OCPI-from-party-id": row.from_party_id,
                "OCPI-to-country-code": row.to_country_code,
                "OCPI-to-party-id": row.to_party_id,
            },
        )

    async def _put_instead(self, row: Row[Any], base: str, peer: Peer, exc: PeerError) -> bool:
        """A PATCH the peer answered "unknown object": send the whole object with PUT.

        ``transport_and_format.asciidoc §PATCH`` (TF-14): "If a PATCH fails, the client is
        expected to GET the object; if it does not exist the client should PUT it." The peer has
        just said it does not have the object, and we own it, so the GET is skipped: the PUT of
        our current state (at least as new as the PATCH) repairs the peer's copy, and the PATCH
        messages queued after this one apply on top of it.
        """
        key = _key_of(row.object_ref)
        async with self.db.connect() as conn:
            stored = await ObjectStore(conn).get(key) if key is not None else None
        if stored is None or not stored.is_local:
            await self._failed(row, f"{exc.message}; the object is gone here too", permanent=True)
            return False
        data = stored.parsed()
        path = _full_path(row.module, data)
        try:
            await self._send(row, peer, base, "PUT", path, data)
        except PeerError as put_exc:
            error = f"PATCH: {exc.message}; PUT {path} instead: {put_exc.message}"
            await self._failed(row, error, permanent=_permanent(put_exc))
            return False
        log.info("push %s: peer %s lacked %s, sent it whole (PUT)", row.id, row.peer_id, path)
        return True

    async def _done(self, rows: list[Row[Any]]) -> None:
        """Mark a round's delivered messages DONE in one transaction."""
        if not rows:
            return
        now = datetime.now(UTC)
        async with self.db.transaction() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([r.id for r in rows]), outbox.c.locked_by == self.name)
                .values(
                    status="DONE",
                    last_error=None,
                    attempts=outbox.c.attempts + 1,
                    delivered_at=now,
                    locked_by=None,
                    locked_until=None,
                )
            )
        self.delivered += len(rows)

    async def _finish(self, row: Row[Any], status: str, error: str | None) -> None:
        now = datetime.now(UTC)
        async with self.db.transaction() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == row.id, outbox.c.locked_by == self.name)
                .values(
                    status=status,
                    last_error=error,
                    attempts=row.attempts + 1,
                    delivered_at=now if status == "DONE" else None,
                    locked_by=None,
                    locked_until=None,
                )
            )

    async def _failed(self, row: Row[Any], error: str, *, permanent: bool) -> None:
        attempts = row.attempts + 1
        if permanent or attempts >= self.max_attempts:
            log.warning("push %s to peer %s is DEAD: %s", row.id, row.peer_id, error)
            await self._finish(row, "DEAD", error)
            return
        delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
        delay *= random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not cryptography
        async with self.db.transaction() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == row.id, outbox.c.locked_by == self.name)
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
