"""``ocpikit demo``: two nodes on loopback, one charging session from START_SESSION to priced CDR.

Everything between the two nodes is real OCPI over HTTP: the credentials handshake
(:func:`register_with_peer`), pushes by each node's outbox worker, the commands (``send_command``
to the CPO's Commands Receiver, the CommandResult POSTed to the eMSP's callback), the session
and the CDR pushed by the CPO's simulated charge point. The narration only reports what it
reads back from the two databases (received objects, outbox deliveries, the event feed), so
it never prints a step that did not happen; a step that does not happen within the step
timeout ends the demo with an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from rich.console import Console

from ocpikit.chargepoints.billing import now_ms
from ocpikit.client.http import http_client
from ocpikit.demo import data
from ocpikit.demo.data import CPO, EMSP
from ocpikit.demo.narration import Narrator, duration, energy, money
from ocpikit.demo.nodes import DemoNode, NodeError, bind
from ocpikit.errors import OcpiError
from ocpikit.modules.commands.service import get_command, send_command
from ocpikit.modules.credentials.service import HandshakeError, register_with_peer
from ocpikit.modules.locations import service as locations_service
from ocpikit.modules.tariffs import service as tariffs_service
from ocpikit.modules.tokens import service as tokens_service
from ocpikit.pricing.service import CHECKED, MISMATCH, UNCHECKED
from ocpikit.protocol.v221.commands import CommandResponseType, CommandType
from ocpikit.protocol.v221.locations import Location
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.protocol.v221.tokens import Token
from ocpikit.storage.events import Event, EventLog
from ocpikit.storage.objects import ListQuery, ObjectStore
from ocpikit.storage.repositories import Peer, PeerRepository, TokenRepository
from ocpikit.sync.push import list_messages

__all__ = ["DemoError", "DemoOptions", "run_demo"]

T = TypeVar("T")

POLL_SECONDS = 0.1
# The simulated car: a fast charger delivers this much while the demo session runs.
POWER_KW = 120.0


class DemoError(Exception):
    """The demo could not go on; the message says which step failed and why."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What ``ocpikit demo`` was asked.

    Attributes:
        directory: where ``cpo.db`` and ``emsp.db`` go (None: a new temporary directory).
        cpo_port / emsp_port: the ports to serve on (another free one when taken; 0: any).
        fast: a short session (a charging period every 2 s, stopped after 10 s).
        serve: keep both nodes serving after the CDR arrived, until Ctrl-C.
        admin_token: the operator API's bearer token (None: a new random one).
        step_timeout: seconds each step may take before the demo fails.
    """

    directory: Path | None = None
    cpo_port: int = 8101
    emsp_port: int = 8102
    fast: bool = False
    serve: bool = True
    admin_token: str | None = None
    step_timeout: float = 60.0

    @property
    def period_seconds(self) -> float:
        """How often the simulated charge point reports a charging period."""
        return 2.0 if self.fast else 5.0

    @property
    def charge_seconds(self) -> float:
        """How long the eMSP lets the car charge before it sends STOP_SESSION."""
        return 10.0 if self.fast else 30.0


def _directory(requested: Path | None) -> Path:
    if requested is None:
        return Path(tempfile.mkdtemp(prefix="ocpikit-demo-"))
    directory = requested.expanduser().resolve()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoError(f"cannot create the directory {directory}: {exc.strerror}") from exc
    taken = [name for name in ("cpo.db", "emsp.db") if (directory / name).exists()]
    if taken:
        raise DemoError(
            f"{directory} already holds {' and '.join(taken)} from an earlier demo: "
            "remove them or choose another --dir"
        )
    return directory


def _now() -> str:
    return now_ms().isoformat().replace("+00:00", "Z")


def _cost(data: Mapping[str, Any], currency: str, field: str = "total_cost") -> str | None:
    cost = data.get(field)
    if not isinstance(cost, dict):
        return None
    if cost.get("incl_vat") is not None:
        return f"{money(cost['incl_vat'], currency)} incl. VAT"
    return f"{money(cost['excl_vat'], currency)} excl. VAT"


def _text(message: Any) -> str:
    """The English (else first) text of a DisplayText list."""
    if not message:
        return ""
    texts = [m for m in message if isinstance(m, dict)]
    chosen = next((m for m in texts if m.get("language") == "en"), texts[0] if texts else None)
    return str(chosen.get("text", "")) if chosen else ""


def _connector_label(connector: Mapping[str, Any]) -> str:
    names = {"IEC_62196_T2": "Type 2", "IEC_62196_T2_COMBO": "CCS", "CHADEMO": "CHAdeMO"}
    standard = str(connector["standard"])
    power = connector.get("max_electric_power")
    kw = f" {int(power) // 1000} kW" if power else ""
    return f"{names.get(standard, standard)}{kw}"


class Flow:
    """The demo's steps, in order; each one acts, then waits for its effect and narrates it."""

    def __init__(
        self,
        options: DemoOptions,
        narrator: Narrator,
        cpo: DemoNode,
        emsp: DemoNode,
        started: list[DemoNode],
    ) -> None:
        self.options = options
        self.say = narrator.say
        self.cpo = cpo
        self.emsp = emsp
        self.started = started
        self.locations: list[dict[str, Any]] = []
        self.tokens: list[dict[str, Any]] = []
        self.updates = 0
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        assert self._client is not None
        return self._client

    # ---- helpers --------------------------------------------------------------------------

    async def wait_for(self, what: str, probe: Callable[[], Awaitable[T | None]]) -> T:
        """Poll ``probe`` until it returns a value; DemoError after the step timeout."""
        timeout = self.options.step_timeout
        deadline = time.monotonic() + timeout
        while True:
            value = await probe()
            if value is not None:
                return value
            if time.monotonic() > deadline:
                raise DemoError(f"timed out after {timeout:g} s waiting for {what}")
            await asyncio.sleep(POLL_SECONDS)

    @staticmethod
    async def objects(node: DemoNode, module: str, *, local: bool) -> list[dict[str, Any]]:
        async with node.db.connect() as conn:
            found = await ObjectStore(conn).all(ListQuery(module=module, is_local=local))
        return [o.parsed() for o in found]

    @staticmethod
    async def only_peer(node: DemoNode) -> Peer | None:
        async with node.db.connect() as conn:
            peers = await PeerRepository(conn).list()
        return peers[0] if len(peers) == 1 and peers[0].status == "REGISTERED" else None

    async def delivered(
        self, node: DemoNode, peer: Peer, expected: Mapping[str, int]
    ) -> bool | None:
        """True once ``node``'s outbox delivered ``expected`` pushes per module to ``peer``."""
        messages = await list_messages(node.db, peer_id=peer.id, limit=1000)
        dead = [m for m in messages if m.status == "DEAD"]
        if dead:
            raise DemoError(
                f"the {node.label} could not push {dead[0].module} {dead[0].path} to "
                f"{peer.name}: {dead[0].last_error}"
            )
        done = Counter(m.module for m in messages if m.status == "DONE")
        return True if all(done[m] >= n for m, n in expected.items()) else None

    async def events(self, node: DemoNode, kind: str) -> list[Event]:
        async with node.db.connect() as conn:
            return await EventLog(conn).after(0, limit=1000, kind=kind)

    async def command(self, command: CommandType, body: Mapping[str, Any]) -> str:
        """Send a command from the eMSP to the CPO; narrate the response and the result."""
        peer = await self.only_peer(self.emsp)
        if peer is None:
            raise DemoError("the eMSP is no longer registered with the CPO")
        try:
            uid, response = await send_command(self.emsp.db, self.client, peer, command, body)
        except OcpiError as exc:
            raise DemoError(f"{command.value} could not be sent: {exc.message}") from exc
        if response.result is not CommandResponseType.ACCEPTED:
            reason = _text([m.to_wire() for m in response.message or []])
            raise DemoError(
                f"the CPO answered {command.value} with {response.result.value}"
                + (f": {reason}" if reason else "")
            )
        self.say(
            "CPO",
            f"CommandResponse ACCEPTED for {command.value}: "
            f"the result follows within {response.timeout} s",
        )

        async def result() -> dict[str, Any] | None:
            record = await get_command(self.emsp.db, uid)
            return record.result if record is not None and record.result else None

        outcome = await self.wait_for(f"the CommandResult of {command.value}", result)
        value = str(outcome.get("result"))
        if value != "ACCEPTED":
            reason = _text(outcome.get("message"))
            raise DemoError(
                f"the charge point answered {command.value} with {value}"
                + (f": {reason}" if reason else "")
            )
        self.say(
            "eMSP", f"CommandResult ACCEPTED for {command.value}, POSTed by the CPO to its callback"
        )
        return uid

    # ---- the steps ------------------------------------------------------------------------

    async def run(self) -> None:
        await self.start_nodes()
        async with http_client(timeout=30.0) as client:
            self._client = client
            await self.register()
            await self.load_locations_and_tariffs()
            await self.load_tokens()
            session_id = await self.start_session()
            await self.follow_charging(session_id)
            await self.stop_session(session_id)
            await self.receive_cdr(session_id)

    async def start_nodes(self) -> None:
        for node in (self.cpo, self.emsp):
            await node.initialise()
            await node.start()
            self.started.append(node)
        self.say(
            "CPO",
            f"{CPO.label} {CPO.name} serving OCPI 2.2.1 at {self.cpo.url} "
            f"(simulated charge points, a charging period every {self.options.period_seconds:g} s)",
        )
        self.say("eMSP", f"{EMSP.label} {EMSP.name} serving OCPI 2.2.1 at {self.emsp.url}")

    async def register(self) -> None:
        async with self.cpo.db.transaction() as conn:
            token_a = await TokenRepository(conn).issue(kind="A", label="demo eMSP")
        self.say("CPO", "issued a registration token (token A) for the eMSP")
        try:
            peer = await register_with_peer(
                self.emsp.db, self.client, versions_url=self.cpo.versions_url, token_a=token_a
            )
        except HandshakeError as exc:
            raise DemoError(f"the eMSP could not register with the CPO: {exc}") from exc
        modules = sorted({e["identifier"] for e in peer.endpoints} - {"credentials"})
        self.say(
            "eMSP",
            f"registered with {CPO.label} via OCPI {peer.version} (credentials handshake); "
            f"its modules: {', '.join(modules)}",
        )
        theirs = await self.wait_for("the eMSP's registration at the CPO", self._cpo_peer)
        roles = ", ".join(f"{r.role} {r.country_code}*{r.party_id}" for r in theirs.roles)
        self.say("CPO", f"registered the eMSP as peer {theirs.id} ({roles}), token A revoked")

    async def _cpo_peer(self) -> Peer | None:
        return await self.only_peer(self.cpo)

    async def load_locations_and_tariffs(self) -> None:
        now = _now()
        tariffs = data.tariffs(now)
        self.locations = data.locations(now)
        for tariff in tariffs:
            await tariffs_service.save_local(self.cpo.db, Tariff.model_validate(tariff))
        for location in self.locations:
            await locations_service.save_local(self.cpo.db, Location.model_validate(location))
        evses = sum(len(loc["evses"]) for loc in self.locations)
        cities = ", ".join(sorted({loc["city"] for loc in self.locations}))
        self.say(
            "CPO",
            f"loaded {len(tariffs)} tariffs ({', '.join(t['id'] for t in tariffs)}) and "
            f"{len(self.locations)} locations with {evses} EVSEs in {cities}",
        )
        peer = await self._cpo_peer()
        assert peer is not None
        expected = {"tariffs": len(tariffs), "locations": len(self.locations)}
        await self.wait_for(
            "the pushes of tariffs and locations", lambda: self.delivered(self.cpo, peer, expected)
        )
        self.say(
            "CPO",
            f"pushed {len(tariffs)} tariffs and {len(self.locations)} locations to {EMSP.label} "
            "(PUT on its Tariffs and Locations Receivers)",
        )

        async def received() -> tuple[int, int] | None:
            got_t = len(await self.objects(self.emsp, "tariffs", local=False))
            got_l = len(await self.objects(self.emsp, "locations", local=False))
            return (got_t, got_l) if (got_t, got_l) == (len(tariffs), len(self.locations)) else None

        got = await self.wait_for("the tariffs and locations at the eMSP", received)
        self.say("eMSP", f"stored {got[0]} tariffs and {got[1]} locations from {CPO.label}")

    async def load_tokens(self) -> None:
        self.tokens = data.tokens(_now())
        for token in self.tokens:
            await tokens_service.save_local(self.emsp.db, Token.model_validate(token))
        kinds = Counter(t["type"] for t in self.tokens)
        self.say(
            "eMSP",
            f"loaded {len(self.tokens)} tokens "
            f"({', '.join(f'{n} {kind}' for kind, n in kinds.items())})",
        )
        peer = await self.only_peer(self.emsp)
        assert peer is not None
        expected = {"tokens": len(self.tokens)}
        await self.wait_for(
            "the pushes of tokens", lambda: self.delivered(self.emsp, peer, expected)
        )
        self.say(
            "eMSP", f"pushed {len(self.tokens)} tokens to {CPO.label} (PUT on its Tokens Receiver)"
        )

        async def received() -> int | None:
            got = len(await self.objects(self.cpo, "tokens", local=False))
            return got if got >= len(self.tokens) else None

        got = await self.wait_for("the tokens at the CPO", received)
        self.say(
            "CPO", f"stored {got} tokens from {EMSP.label}: its charge points can authorise them"
        )

    def _start_point(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        location_id, evse_uid, connector_id = data.START_AT
        location = next(loc for loc in self.locations if loc["id"] == location_id)
        evse = next(e for e in location["evses"] if e["uid"] == evse_uid)
        connector = next(c for c in evse["connectors"] if c["id"] == connector_id)
        return location, evse, connector

    async def start_session(self) -> str:
        location, evse, connector = self._start_point()
        token = next(t for t in self.tokens if t["type"] == "APP_USER")
        self.say(
            "eMSP",
            f"sends START_SESSION for token {token['uid']} ({token['type']}) at EVSE "
            f"{evse['evse_id']}, {location['name']} in {location['city']} "
            f"({_connector_label(connector)})",
        )
        body = {
            "token": token,
            "location_id": location["id"],
            "evse_uid": evse["uid"],
            "connector_id": connector["id"],
        }
        await self.command(CommandType.START_SESSION, body)

        async def charging() -> dict[str, Any] | None:
            sessions = await self.objects(self.cpo, "sessions", local=True)
            session = next(
                (
                    s
                    for s in sessions
                    if s["evse_uid"] == evse["uid"]
                    and s["status"] == "ACTIVE"
                    and s["cdr_token"]["uid"] == token["uid"]
                ),
                None,
            )
            if session is None or await self._evse_status(self.cpo, True) != "CHARGING":
                return None
            return session

        session = await self.wait_for("the charge point to start charging", charging)
        self.say(
            "CPO",
            f"charge point {evse['evse_id']} is CHARGING: session {session['id']} ACTIVE, "
            f"priced with tariff {', '.join(connector['tariff_ids'])}",
        )
        session_id = str(session["id"])
        pushed = await self.wait_for(
            "the session at the eMSP", lambda: self._received_session(session_id)
        )
        self.say("eMSP", f"session {session_id} {pushed['status']} received from {CPO.label}")

        async def evse_charging() -> bool | None:
            return True if await self._evse_status(self.emsp, False) == "CHARGING" else None

        await self.wait_for("the EVSE status at the eMSP", evse_charging)
        self.say("eMSP", f"EVSE {evse['evse_id']} shows CHARGING (EVSE PATCH pushed by the CPO)")
        return session_id

    async def _evse_status(self, node: DemoNode, local: bool) -> str | None:
        location, evse, _ = self._start_point()
        for stored in await self.objects(node, "locations", local=local):
            if stored["id"] == location["id"]:
                for e in stored.get("evses") or []:
                    if e["uid"] == evse["uid"]:
                        return str(e["status"])
        return None

    async def _received_session(self, session_id: str) -> dict[str, Any] | None:
        sessions = await self.objects(self.emsp, "sessions", local=False)
        return next((s for s in sessions if s["id"] == session_id), None)

    def _narrate_session(self, session: Mapping[str, Any], suffix: str = "so far") -> None:
        cost = _cost(session, str(session["currency"]))
        periods = len(session.get("charging_periods") or [])
        price = f", {cost}{f' {suffix}' if suffix else ''}" if cost else ""
        self.say(
            "eMSP",
            f"session {session['id']} {session['status']}: {energy(session['kwh'])}{price} "
            f"({periods} charging period{'s' if periods != 1 else ''})",
        )

    async def follow_charging(self, session_id: str) -> None:
        """Narrate the session updates the eMSP receives until it is time to stop."""
        ends = time.monotonic() + self.options.charge_seconds
        seen: tuple[Any, ...] | None = None
        while True:
            session = await self._received_session(session_id)
            if session is not None and session.get("charging_periods"):
                state = (session["kwh"], len(session["charging_periods"]), session["status"])
                if state != seen:
                    seen = state
                    self.updates += 1
                    self._narrate_session(session)
            if time.monotonic() >= ends and self.updates:
                return
            if time.monotonic() >= ends + self.options.step_timeout:
                raise DemoError(
                    f"timed out after {self.options.step_timeout:g} s waiting for a session "
                    "update (charging period) at the eMSP"
                )
            await asyncio.sleep(POLL_SECONDS)

    async def stop_session(self, session_id: str) -> None:
        self.say("eMSP", f"sends STOP_SESSION for session {session_id}")
        await self.command(CommandType.STOP_SESSION, {"session_id": session_id})

        async def cpo_cdr() -> dict[str, Any] | None:
            cdrs = await self.objects(self.cpo, "cdrs", local=True)
            return next((c for c in cdrs if c.get("session_id") == session_id), None)

        cdr = await self.wait_for("the CDR at the CPO", cpo_cdr)
        tariffs = ", ".join(t["id"] for t in cdr.get("tariffs") or []) or "none"
        self.say(
            "CPO",
            f"charging stopped, EVSE AVAILABLE; CDR {cdr['id']} priced with tariff {tariffs}: "
            f"{_cost(cdr, cdr['currency'])}",
        )

        async def completed() -> dict[str, Any] | None:
            session = await self._received_session(session_id)
            return session if session is not None and session["status"] == "COMPLETED" else None

        self._narrate_session(await self.wait_for("the completed session", completed), "")

    async def receive_cdr(self, session_id: str) -> None:
        async def received() -> dict[str, Any] | None:
            cdrs = await self.objects(self.emsp, "cdrs", local=False)
            return next((c for c in cdrs if c.get("session_id") == session_id), None)

        cdr = await self.wait_for("the CDR at the eMSP", received)
        currency = str(cdr["currency"])
        total = cdr["total_cost"]
        excl = money(total["excl_vat"], currency)
        incl = (
            f"total {money(total['incl_vat'], currency)} incl. VAT ({excl} excl. VAT)"
            if total.get("incl_vat") is not None
            else f"total {excl} excl. VAT"
        )
        self.say(
            "eMSP",
            f"CDR {cdr['id']} received at the eMSP: {energy(cdr['total_energy'])}, "
            f"{duration(cdr['total_time'])} h, {incl}",
        )
        cdr_id = str(cdr["id"]).upper()

        async def checked() -> Event | None:
            for kind in (CHECKED, MISMATCH, UNCHECKED):
                for event in await self.events(self.emsp, kind):
                    if (event.object_id or "").upper() == cdr_id:
                        return event
            return None

        event = await self.wait_for("the eMSP's price check of the CDR", checked)
        info = event.data
        if event.kind == UNCHECKED:
            self.say("eMSP", f"price check: the CDR could not be re-priced ({info.get('reason')})")
            return
        expected = info.get("expected_total") or {}
        tariff = (
            f"its own copy of tariff {info.get('tariff_id')}"
            if info.get("tariff_source") == "stored"
            else f"tariff {info.get('tariff_id')} as the CDR carries it"
        )
        verdict = "equal" if event.kind == CHECKED else "DIFFERENT: dispute recorded"
        self.say(
            "eMSP",
            f"price check: the eMSP re-priced the CDR with {tariff}: "
            f"{_cost({'total_cost': expected}, currency)}, {verdict}",
        )


def _summary(narrator: Narrator, cpo: DemoNode, emsp: DemoNode, token: str, serve: bool) -> None:
    narrator.blank()
    for node, party in ((cpo, CPO), (emsp, EMSP)):
        narrator.plain(f"  {node.label:<4}  {party.label} {party.name}", "bold")
        if serve:
            narrator.plain(f"        versions  {node.versions_url}")
            narrator.plain(f"        console   {node.console_url}")
        narrator.plain(f"        database  {node.path}")
    narrator.plain(f"  admin token   {token}")
    narrator.plain(
        "                (Authorization: Bearer on /api of both nodes; the console asks)"
    )
    if serve:
        narrator.plain(
            f"  try           curl -H 'Authorization: Bearer {token}' {emsp.url}/api/objects/cdrs"
        )
        narrator.plain(f"                ocpikit export cdrs --database {emsp.database_url}")
    else:
        narrator.plain(f"  try           ocpikit export cdrs --database {emsp.database_url}")
    narrator.blank()


async def run_demo(options: DemoOptions, console: Console) -> int:
    """Run the demo; returns the exit status (0, or 130 when interrupted by Ctrl-C).

    Raises:
        DemoError: a step failed or timed out (the nodes are stopped first).
    """
    narrator = Narrator(console)
    directory = _directory(options.directory)
    token = options.admin_token or secrets.token_urlsafe(24)
    cpo_sock, cpo_moved = bind(options.cpo_port)
    emsp_sock, emsp_moved = bind(options.emsp_port)
    cpo = DemoNode(
        "CPO",
        CPO,
        directory / "cpo.db",
        cpo_sock,
        token,
        simulator=True,
        simulator_period_seconds=options.period_seconds,
        simulator_power_kw=POWER_KW,
    )
    emsp = DemoNode("eMSP", EMSP, directory / "emsp.db", emsp_sock, token)
    narrator.say("demo", f"two OCPI nodes on loopback, their SQLite files in {directory}")
    for node, asked, moved in (
        (cpo, options.cpo_port, cpo_moved),
        (emsp, options.emsp_port, emsp_moved),
    ):
        if moved:
            narrator.say("demo", f"port {asked} is taken: the {node.label} node uses {node.port}")

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals: list[signal.Signals] = []

    def interrupted(sig: signal.Signals) -> None:
        stop.set()
        loop.remove_signal_handler(sig)  # a second Ctrl-C stops at once

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, interrupted, sig)
            signals.append(sig)

    started: list[DemoNode] = []
    flow = asyncio.create_task(Flow(options, narrator, cpo, emsp, started).run())
    stopper = asyncio.create_task(stop.wait())
    began = time.monotonic()
    try:
        done, _ = await asyncio.wait({flow, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if flow not in done:
            flow.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await flow
            narrator.say("demo", "interrupted: stopping both nodes")
            return 130
        try:
            flow.result()
        except NodeError as exc:
            raise DemoError(str(exc)) from exc
        narrator.say(
            "demo",
            f"done in {time.monotonic() - began:.1f} s: registration, pushes, START_SESSION, "
            "session updates, STOP_SESSION and a priced CDR, all over OCPI 2.2.1",
        )
        _summary(narrator, cpo, emsp, token, options.serve)
        if not options.serve:
            narrator.say("demo", "--no-serve: stopping both nodes")
            return 0
        narrator.plain("  Both nodes keep serving. Ctrl-C to stop.", "bold")
        await stopper
        narrator.say("demo", "stopping both nodes")
        return 0
    finally:
        stopper.cancel()
        await asyncio.gather(cpo.stop(), emsp.stop())
        for handled in signals:
            loop.remove_signal_handler(handled)
        if started and options.serve and stop.is_set():
            narrator.say("demo", f"stopped; the databases stay in {directory}")
