"""Events recorded off the answer's path: queued in memory, written in batches.

Most events describe a change and are appended in the transaction of that change (see
``events.py``). A few describe a *read*: a real-time authorization answered to a CPO
(``token.authorized``) or to our own charge point (``token.charge_point_authorization``).
Those answers change nothing, and a driver waits at the charger for them; appending their
event inside a write transaction would queue the answer behind every bulk write of the node
(on SQLite the writers of a process take turns on one lock; on PostgreSQL the appender also
takes the event feed's advisory lock). So the answer is given from reads alone, and the event
is handed to the node's :class:`EventRecorder`, which writes it shortly after.

- **Order and time.** An event keeps the time it was recorded (``created_at``); its ``id`` is
  given when it is written, so it may come after events of changes made meanwhile.
- **Batches.** One task writes whatever is queued, up to ``batch`` events per transaction;
  events recorded while it waits for the database go in its next batch.
- **Bounded.** At most ``max_pending`` events wait in memory; beyond that, recording waits
  for room (the database is slower than the events come): an event is never dropped.
- **Failures.** A batch that cannot be written stays queued and is tried again (backoff up
  to 5 s), logged.
- **Shutdown.** :meth:`EventRecorder.close` writes everything still queued (the node closes
  it before its database); recording after that writes at once. :meth:`flush` lets a reader
  of this process see every event recorded before it (the operator's event feed does).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog

__all__ = ["EventRecorder", "NewEvent"]

log = logging.getLogger("ocpikit.events")


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event not yet written (the columns of ``events`` but the id)."""

    kind: str
    module: str
    country_code: str | None = None
    party_id: str | None = None
    object_id: str | None = None
    peer_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class EventRecorder:
    """The node's queue of events to write outside the answers that record them."""

    def __init__(
        self,
        db: Database,
        *,
        max_pending: int = 10_000,
        batch: int = 500,
        max_delay: float = 5.0,
    ) -> None:
        self.db = db
        self.max_pending = max_pending
        self.batch = batch
        self.max_delay = max_delay
        self._pending: list[NewEvent] = []
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """Events recorded and not written yet."""
        return len(self._pending)

    async def record(
        self,
        kind: str,
        module: str,
        *,
        country_code: str | None = None,
        party_id: str | None = None,
        object_id: str | None = None,
        peer_id: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Queue one event (written shortly after); waits only when the queue is full."""
        event = NewEvent(kind, module, country_code, party_id, object_id, peer_id, data or {})
        if self._closed:
            async with self.db.transaction() as conn:
                await EventLog(conn).append_all([event])
            return
        while len(self._pending) >= self.max_pending:
            await asyncio.shield(self._writer())
        self._pending.append(event)
        self._writer()

    async def flush(self) -> None:
        """Return once every event recorded before this call is written."""
        while self._pending:
            await asyncio.shield(self._writer())

    async def close(self, timeout: float = 5.0) -> None:
        """Write everything still queued; later events are written at once.

        When the database refuses them for ``timeout`` seconds, the events still queued are
        logged (kind, object, data) as errors and dropped, so that the process can stop.
        """
        self._closed = True
        try:
            await asyncio.wait_for(self.flush(), timeout)
        except TimeoutError:
            if self._task is not None:
                self._task.cancel()
            for event in self._pending:
                log.error("event not written: %r", event)
            self._pending.clear()

    def _writer(self) -> asyncio.Task[None]:
        """The task writing the queue (started when there is none)."""
        if self._task is None or self._task.done():
            # A context of its own: not the recording task's (which may be inside a write
            # transaction: on SQLite the writer would then refuse to open one, as nested).
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), context=contextvars.Context()
            )
        return self._task

    async def _drain(self) -> None:
        delay = 0.1
        while self._pending:
            batch = self._pending[: self.batch]
            try:
                async with self.db.transaction() as conn:
                    await EventLog(conn).append_all(batch)
            except Exception:  # noqa: BLE001 - kept and retried: an event is never dropped
                log.exception("cannot write %d events; retrying in %.1f s", len(batch), delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_delay)
                continue
            del self._pending[: len(batch)]
            delay = 0.1
