"""The background runner: accepted requests go to the adapter, results go to ``response_url``.

``mod_commands.asciidoc §CommandResponse Object``: "Timeout for this command in seconds. When
the Result is not received within this timeout, the eMSP can assume that the message might
never be send." So the result must *arrive* within the announced timeout: the adapter gets
three quarters of it, the rest is left to deliver the result. A command whose adapter call
does not finish in time is answered ``TIMEOUT`` (``§CommandResultType enum``: "no response
received from the Charge Point in a reasonable time"); a charging profile request gets no
result (its result enum has no timeout value) and is recorded as ``TIMEOUT``.

OCPI neither allows nor requires retries of the result POST (``§CommandResponse Object``):
a failed delivery is recorded (status ``FAILED`` with the error) and not repeated.

The runner lives in the process that received the request (one per ``serve`` worker). A
request in flight when its process stops would get no result, and the eMSP's driver would wait
in vain; so every runner sweeps the table now and then (:meth:`ChargePointRunner.sweep`): a
received command still PENDING ``ORPHAN_GRACE`` seconds after its announced timeout belongs to
a process that is gone (a live one answers before the timeout), and is answered ``TIMEOUT``
(a charging profile request is recorded as ``TIMEOUT``). The claim is a conditional UPDATE, so
of several processes on one database exactly one answers.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request

from ocpikit.chargepoints.adapter import ChargePointAdapter, NoAdapter
from ocpikit.client.http import call
from ocpikit.errors import PeerError
from ocpikit.mappings.context import MapContext
from ocpikit.modules.commands.store import DONE, FAILED, TIMEOUT, CommandLog, CommandRecord
from ocpikit.node import Node
from ocpikit.protocol.v221.commands import CommandResult, CommandResultType
from ocpikit.protocol.v221.common import OcpiModel
from ocpikit.storage.repositories import PeerRepository
from ocpikit.versions import PROFILES, V221
from ocpikit.wire import render

__all__ = ["ChargePointRunner", "Job", "get_runner", "select_adapter", "start_chargepoints"]

log = logging.getLogger("ocpikit.chargepoints")

# The share of the announced timeout the adapter gets; the rest is for delivering the result.
ADAPTER_SHARE = 0.75
# How long past its timeout a PENDING received request must be to count as orphaned.
ORPHAN_GRACE = 60.0
# How often each process sweeps for orphaned requests.
SWEEP_INTERVAL = 30.0


@dataclass(frozen=True)
class Job:
    """An accepted request: what to ask the adapter and where to send its answer.

    Attributes:
        uid: the ``commands`` row.
        response_url: where the result is POSTed.
        peer_id: the peer whose token authorises the POST.
        local_party: our party (OCPI-from of the result POST).
        peer_party: the requesting party (OCPI-to).
        execute: calls the adapter and returns the result object.
        on_timeout: the result when the adapter does not answer in time (None: send nothing).
        on_error: the result when the adapter raised.
    """

    uid: str
    response_url: str
    peer_id: int | None
    local_party: tuple[str, str]
    peer_party: tuple[str, str]
    execute: Callable[[ChargePointAdapter], Awaitable[OcpiModel]]
    on_timeout: OcpiModel | None
    on_error: OcpiModel


class ChargePointRunner:
    """Runs accepted requests in the background of one node process."""

    def __init__(self, node: Node, adapter: ChargePointAdapter, *, timeout: int) -> None:
        self.node = node
        self.adapter = adapter
        self.timeout = timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def adapter_budget(self) -> float:
        """Seconds the adapter gets: 3/4 of the announced timeout (the rest is delivery)."""
        return self.timeout * ADAPTER_SHARE

    def submit(self, job: Job) -> None:
        task = asyncio.create_task(self._run(job), name=f"ocpikit-request-{job.uid}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job) -> None:
        outcome: OcpiModel
        try:
            outcome = await asyncio.wait_for(job.execute(self.adapter), self.adapter_budget)
        except TimeoutError:
            if job.on_timeout is None:
                async with self.node.db.transaction() as conn:
                    await CommandLog(conn).set_result(
                        job.uid, None, status=TIMEOUT, error="the charge point did not answer"
                    )
                return
            outcome = job.on_timeout
        except Exception:  # noqa: BLE001 - any adapter failure becomes a result, and is logged
            log.exception("charge point adapter failed on request %s", job.uid)
            outcome = job.on_error
        await self._deliver(job, outcome)

    async def _deliver(self, job: Job | CommandRecord, outcome: OcpiModel) -> None:
        async with self.node.db.connect() as conn:
            peer = await PeerRepository(conn).get(job.peer_id) if job.peer_id else None
        body = outcome.to_wire()
        version = PROFILES.get(peer.version or "", V221) if peer else V221
        sent: Any = body
        if not version.canonical and isinstance(outcome, CommandResult):
            ctx = MapContext(*job.local_party) if job.local_party else MapContext("", "")
            sent = render(version, "commands", body, ctx, part="command_result")
        status, error = DONE, None
        if peer is None or not peer.token_out:
            status, error = FAILED, "the peer is no longer registered"
        elif not (job.response_url and job.local_party and job.peer_party):
            status, error = FAILED, "the request has no response_url or parties"
        else:
            headers = (
                {
                    "OCPI-from-country-code": job.local_party[0],
                    "OCPI-from-party-id": job.local_party[1],
                    "OCPI-to-country-code": job.peer_party[0],
                    "OCPI-to-party-id": job.peer_party[1],
                }
                if version.routing_headers
                else {}
            )
            try:
                await call(
                    self.node.http,
                    "POST",
                    job.response_url,
                    token=peer.token_out,
                    encoding=peer.token_encoding,
                    json=sent,
                    headers=headers,
                )
            except PeerError as exc:
                status, error = FAILED, exc.message
                log.warning("result of request %s not delivered: %s", job.uid, exc.message)
        async with self.node.db.transaction() as conn:
            await CommandLog(conn).set_result(job.uid, body, status=status, error=error)

    async def wait_idle(self) -> None:
        """Wait until every submitted request has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def start_sweeping(self, interval: float = SWEEP_INTERVAL) -> None:
        """Sweep for orphaned requests now and every ``interval`` seconds, until :meth:`stop`."""
        self._sweeper = asyncio.create_task(self._sweep_forever(interval), name="ocpikit-sweeper")

    async def _sweep_forever(self, interval: float) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - the sweeper must outlive a failing database
                log.exception("sweeping orphaned charge point requests failed")
            await asyncio.sleep(interval)

    async def sweep(self, *, grace: float = ORPHAN_GRACE) -> int:
        """Answer the received requests no process will answer any more; returns how many."""
        before = datetime.now(UTC) - timedelta(seconds=grace)
        async with self.node.db.connect() as conn:
            orphans = await CommandLog(conn).orphans(before)
        answered = 0
        for record in orphans:
            error = "no result: the node stopped before the charge point answered"
            async with self.node.db.transaction() as conn:
                if not await CommandLog(conn).claim_orphan(record.uid, error):
                    continue  # another process took it
            answered += 1
            log.warning("request %s (%s) orphaned: answered TIMEOUT", record.uid, record.command)
            if record.module != "commands":  # charging profile results have no TIMEOUT value
                async with self.node.db.transaction() as conn:
                    await CommandLog(conn).set_result(record.uid, None, status=TIMEOUT, error=error)
                continue
            await self._deliver(record, CommandResult(result=CommandResultType.TIMEOUT))
        return answered

    async def stop(self) -> None:
        """Cancel requests in flight and the sweeper, and close the adapter."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.adapter.close()


def _load(path: str, node: Node) -> ChargePointAdapter:
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ValueError(f"OCPIKIT_ADAPTER must be 'module:callable', got {path!r}")
    factory: Any = getattr(importlib.import_module(module_name), attr)
    adapter: ChargePointAdapter = factory(node)
    return adapter


def select_adapter(node: Node) -> ChargePointAdapter:
    """The adapter the settings ask for.

    Order: the simulator when ``OCPIKIT_SIMULATOR`` is set (``serve --simulator``), else a
    Python adapter named by ``OCPIKIT_ADAPTER`` (``module:callable``, called with the Node),
    else the webhook when ``OCPIKIT_ADAPTER_WEBHOOK_URL`` is set, else :class:`NoAdapter`
    (every command is answered ``NOT_SUPPORTED``).
    """
    settings = node.settings
    if settings.simulator:
        from ocpikit.chargepoints.simulator import SimulatedChargePoints

        return SimulatedChargePoints(node)
    if settings.adapter:
        return _load(settings.adapter, node)
    if settings.adapter_webhook_url:
        from ocpikit.chargepoints.webhook import WebhookAdapter

        return WebhookAdapter(
            node.http,
            settings.adapter_webhook_url,
            timeout=settings.command_timeout * ADAPTER_SHARE,
        )
    return NoAdapter()


async def start_chargepoints(app: FastAPI, node: Node) -> ChargePointRunner:
    """Create the runner of this process (called from the app lifespan)."""
    runner = ChargePointRunner(node, select_adapter(node), timeout=node.settings.command_timeout)
    app.state.chargepoints = runner
    runner.start_sweeping()
    return runner


def get_runner(request: Request) -> ChargePointRunner | None:
    """The runner of the app serving ``request`` (None before the lifespan started it)."""
    runner: ChargePointRunner | None = getattr(request.app.state, "chargepoints", None)
    return runner
