"""The webhook dispatcher: every new event POSTed to the operator's URL, once, in order.

Set ``OCPIKIT_WEBHOOK_URL`` (and ``OCPIKIT_WEBHOOK_SECRET`` to sign). Contract::

    POST <webhook_url>                       Content-Type: application/json
    X-Ocpikit-Event-Id: 42
    X-Ocpikit-Event-Kind: cdr.created
    X-Ocpikit-Timestamp: 1767225600          # Unix seconds of this attempt
    X-Ocpikit-Signature: sha256=<hex>        # only with a secret:
                                             # HMAC-SHA256(secret, "<timestamp>." + raw body)
    {"id": 42, "kind": "cdr.created", "module": "cdrs", "country_code": "NL",
     "party_id": "CPO", "object_id": "CDR1", "peer_id": 1,
     "data": {...}, "created_at": "2026-01-01T12:00:00.123456+00:00"}

Any 2xx answer acknowledges the event; anything else (another status, a timeout, no
connection) is retried with exponential backoff (0.5 s doubling up to 60 s), forever: a
later event is never sent before an earlier one is acknowledged. The id of the last
acknowledged event is kept in ``node_config`` (``webhook:cursor``), so a restart resumes after
it (delivery is at least once: an event acknowledged while the node stopped may come again;
receivers can deduplicate on the id). The first start delivers only events created from then
on; the history stays readable with ``GET /api/events``.

Several ``serve`` processes on one database share the work through a lease in ``node_config``
(``webhook:lease``): only the holder delivers, another takes over when it stops renewing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import uuid
from contextlib import suppress
from typing import Any

import httpx
import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ocpikit.config import Settings
from ocpikit.operator.events import read_events
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import ConfigRepository
from ocpikit.storage.schema import events, node_config

__all__ = ["CURSOR_KEY", "LEASE_KEY", "WebhookDispatcher", "sign", "start_webhooks"]

log = logging.getLogger("ocpikit.webhooks")

CURSOR_KEY = "webhook:cursor"
LEASE_KEY = "webhook:lease"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Ocpikit-Signature`` value: ``sha256=`` + hex HMAC of ``"<timestamp>." + body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


class WebhookDispatcher:
    """POSTs events after the stored cursor to ``url`` until stopped.

    Args:
        db: the node's database.
        url: where to POST each event.
        secret: signs each request when set.
        timeout: seconds to wait for the receiver's answer.
        poll_interval: pause when no event is due.
        base_delay: first retry delay in seconds (doubles per attempt).
        max_delay: retry delay cap in seconds.
        lease_seconds: how long the delivery lease holds without renewal.
        batch: events read at once.

    Events are read up to the feed's horizon (:func:`ocpikit.storage.events.final_events`),
    so a missing id is a rolled-back transaction, never an event still to come.
    """

    def __init__(
        self,
        db: Database,
        url: str,
        *,
        secret: str | None = None,
        timeout: float = 10.0,
        poll_interval: float = 0.5,
        base_delay: float = 0.5,
        max_delay: float = 60.0,
        lease_seconds: float = 30.0,
        batch: int = 100,
    ) -> None:
        self.db = db
        self.url = url
        self.secret = secret
        self.poll_interval = poll_interval
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease_seconds = lease_seconds
        self.batch = batch
        self.name = uuid.uuid4().hex
        self.client = httpx.AsyncClient(timeout=timeout)
        self.delivered = 0
        self.failures = 0
        self._attempts = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # ---- life cycle ---------------------------------------------------------------------

    async def prepare(self) -> int:
        """Read (on the first start: create) the cursor; returns it."""
        return await self._cursor()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run())

    def stop(self) -> None:
        self._stop.set()

    async def shutdown(self) -> None:
        """Stop, wait for the loop to end, release the lease and close the client."""
        self.stop()
        if self._task is not None:
            with suppress(asyncio.CancelledError):
                await self._task
        with suppress(Exception):
            await self._release()
        await self.client.aclose()

    async def run(self) -> None:
        """Deliver until :meth:`stop`; errors are logged, never fatal."""
        while not self._stop.is_set():
            try:
                pause = await self.run_once()
            except Exception:  # noqa: BLE001 - the dispatcher must outlive a bad round
                log.exception("webhook round failed")
                pause = self.poll_interval
            if pause > 0:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=pause)

    async def run_once(self) -> float:
        """Deliver what is due; returns how long to pause before the next round."""
        if not await self._lease():
            return self.poll_interval
        cursor = await self._cursor()
        due = await read_events(self.db, cursor, limit=self.batch)
        if not due:
            return self.poll_interval
        for event in due:
            if self._stop.is_set():
                return 0
            if not await self._deliver(event):
                self.failures += 1
                self._attempts += 1
                return min(self.max_delay, self.base_delay * 2.0 ** (self._attempts - 1))
            self._attempts = 0
            self.delivered += 1
            delivered: int = event["id"]
            if not await self._advance(cursor, delivered):
                return 0  # another process moved the cursor: read it again
            cursor = delivered
        return 0

    # ---- delivery -----------------------------------------------------------------------

    async def _deliver(self, event: dict[str, Any]) -> bool:
        body = orjson.dumps(event)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "ocpikit-webhook",
            "X-Ocpikit-Event-Id": str(event["id"]),
            "X-Ocpikit-Event-Kind": event["kind"],
            "X-Ocpikit-Timestamp": timestamp,
        }
        if self.secret:
            headers["X-Ocpikit-Signature"] = sign(self.secret, timestamp, body)
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("webhook: event %s not delivered: %s", event["id"], exc)
            return False
        if 200 <= response.status_code < 300:
            return True
        log.warning("webhook: event %s refused with HTTP %s", event["id"], response.status_code)
        return False

    # ---- cursor and lease (node_config) -------------------------------------------------

    async def _cursor(self) -> int:
        async with self.db.transaction() as conn:
            value = await ConfigRepository(conn).get(CURSOR_KEY)
            if value is not None:
                return int(value)
            # First start: only events from now on.
            last = int(await conn.scalar(select(func.coalesce(func.max(events.c.id), 0))) or 0)
            await ConfigRepository(conn).set(CURSOR_KEY, str(last))
            return last

    async def _advance(self, old: int, new: int) -> bool:
        async with self.db.transaction() as conn:
            result = await conn.execute(
                update(node_config)
                .where(node_config.c.key == CURSOR_KEY, node_config.c.value == str(old))
                .values(value=str(new))
            )
            return bool(result.rowcount == 1)

    async def _lease(self) -> bool:
        """Take or renew the delivery lease; False while another process holds it."""
        now = time.time()
        mine = f"{self.name} {now + self.lease_seconds:.3f}"
        try:
            async with self.db.transaction() as conn:
                held = await ConfigRepository(conn).get(LEASE_KEY)
                if held is None:
                    await conn.execute(insert(node_config).values(key=LEASE_KEY, value=mine))
                    return True
                owner, _, until = held.partition(" ")
                if owner != self.name and float(until or 0) > now:
                    return False
                result = await conn.execute(
                    update(node_config)
                    .where(node_config.c.key == LEASE_KEY, node_config.c.value == held)
                    .values(value=mine)
                )
                return bool(result.rowcount == 1)
        except IntegrityError:
            return False

    async def _release(self) -> None:
        async with self.db.transaction() as conn:
            held = await ConfigRepository(conn).get(LEASE_KEY)
            if held is not None and held.partition(" ")[0] == self.name:
                await conn.execute(
                    update(node_config)
                    .where(node_config.c.key == LEASE_KEY, node_config.c.value == held)
                    .values(value=f"{self.name} 0")
                )


async def start_webhooks(settings: Settings, db: Database) -> WebhookDispatcher | None:
    """Start the dispatcher when ``webhook_url`` is set (inside the app's lifespan).

    The cursor is set before the app serves (on the first start: after the last event), so
    every event of a request served afterwards is delivered.
    """
    if not settings.webhook_url:
        return None
    dispatcher = WebhookDispatcher(
        db, settings.webhook_url, secret=settings.webhook_secret, timeout=settings.peer_timeout
    )
    await dispatcher.prepare()
    dispatcher.start()
    return dispatcher
