"""Simulated charge points: one per EVSE of the node's own locations (``serve --simulator``).

Rules (settings ``OCPIKIT_SIMULATOR_*``):

- START_SESSION: a token in ``simulator_rejected_tokens`` is ``REJECTED``; an unknown EVSE is
  ``REJECTED``; an EVSE that is CHARGING, BLOCKED or RESERVED (for another token) is
  ``EVSE_OCCUPIED``; any other status but AVAILABLE is ``EVSE_INOPERATIVE``. Without
  ``evse_uid`` the first AVAILABLE EVSE is used. Accepted: the Session is created (ACTIVE),
  the EVSE set to CHARGING, and a charging period (ENERGY kWh, TIME h) is added every
  ``simulator_period_seconds`` at ``simulator_power_kw`` (or a lower W charging profile).
- STOP_SESSION: the last period is added, the Session COMPLETED, the EVSE AVAILABLE, and the
  CDR stored, priced with the connector's first tariff (:func:`billing.price_session_cdr`).
- RESERVE_NOW: a Session with status RESERVATION is created and pushed (SES-03; its
  ``evse_uid``/``connector_id`` are ``#NA`` when the eMSP reserved no EVSE), and a reserved
  EVSE goes RESERVED. The same ``reservation_id`` at the same location replaces the reservation
  (CMD-07); reservations are kept per eMSP (one eMSP cannot cancel another's). A START_SESSION
  of the same token at that location (on the reserved EVSE, or any EVSE for an ``#NA``
  reservation) turns the Session ACTIVE, with the reservation time as a RESERVATION_TIME
  period. CANCEL_RESERVATION, or the ``expiry_date`` passing unused, completes the Session
  with that period; a CDR follows when the tariff charges for the reservation (``§Reservation``:
  "A CDR may be sent for reservation cost only"). UNLOCK_CONNECTOR: ACCEPTED.
- Charging profiles: set, read (the set profile, else the EVSE's maximum power, CP-05) and
  cleared per session; only on ACTIVE sessions.

All changes go through the Locations, Sessions and CDRs ``*_local`` services, so peers get
them pushed. State that matters lives in the database; reservations, profiles and the
charging timers live in this process.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ocpikit.chargepoints import billing
from ocpikit.chargepoints.adapter import CommandRequest, ProfileRequest
from ocpikit.modules.cdrs import service as cdrs
from ocpikit.modules.locations.service import patch_local_evse
from ocpikit.modules.sessions import service as sessions
from ocpikit.node import Node
from ocpikit.pricing import service as pricing
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.chargingprofiles import (
    ActiveChargingProfile,
    ActiveChargingProfileResult,
    ChargingProfile,
    ChargingProfileResult,
    ChargingProfileResultType,
    ChargingRateUnit,
    ClearProfileResult,
    SetChargingProfile,
)
from ocpikit.protocol.v221.commands import (
    CancelReservation,
    CommandResult,
    CommandResultType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from ocpikit.protocol.v221.common import DisplayText, Price
from ocpikit.protocol.v221.locations import EvsePatch, Status
from ocpikit.protocol.v221.sessions import SessionPatch
from ocpikit.storage.objects import ObjectKey, ObjectStore

__all__ = ["SimulatedChargePoints"]

log = logging.getLogger("ocpikit.simulator")
_OCCUPIED = {"CHARGING", "BLOCKED", "RESERVED"}
_NA = "#NA"  # transport_and_format.asciidoc §Not available: a reservation without an EVSE yet


def _result(result: CommandResultType, text: str | None = None) -> CommandResult:
    message = [DisplayText(language="en", text=text)] if text else None
    return CommandResult(result=result, message=message)


def _find(items: list[dict[str, Any]] | None, field: str, value: str) -> dict[str, Any] | None:
    return next((i for i in items or [] if str(i[field]).upper() == value.upper()), None)


def _connector(evse: dict[str, Any] | None) -> dict[str, Any]:
    connectors: list[dict[str, Any]] = (evse or {}).get("connectors") or [{}]
    return connectors[0]


def _connector_of(
    location: dict[str, Any] | None, evse_uid: str | None, connector_id: str
) -> dict[str, Any] | None:
    if location is None or evse_uid is None:
        return None
    evse = _find(location.get("evses"), "uid", evse_uid) or {}
    return _find(evse.get("connectors"), "id", connector_id)


@dataclass
class _Reservation:
    location_id: str
    evse_uid: str | None
    token_uid: str
    session: ObjectKey  # the RESERVATION Session
    since: datetime
    expiry: asyncio.Task[None] | None = None


class SimulatedChargePoints:
    """The built-in :class:`~ocpikit.chargepoints.adapter.ChargePointAdapter`."""

    def __init__(self, node: Node) -> None:
        self.node = node
        settings = node.settings
        self.period = settings.simulator_period_seconds
        self.power_kw = Decimal(str(settings.simulator_power_kw))
        self.rejected = {t.upper() for t in settings.simulator_rejected_tokens}
        self.currency = settings.simulator_currency
        self._timers: dict[ObjectKey, asyncio.Task[None]] = {}
        self._locks: dict[ObjectKey, asyncio.Lock] = {}
        self._reported: dict[ObjectKey, Any] = {}
        self._reservations: dict[tuple[str, str, str], _Reservation] = {}
        self._profiles: dict[ObjectKey, ChargingProfile] = {}

    def supports(self, operation: str) -> bool:
        return True

    # ---- helpers --------------------------------------------------------------------------

    def _lock(self, key: ObjectKey) -> asyncio.Lock:
        return self._locks.setdefault(key.normalised(), asyncio.Lock())

    async def _get(self, key: ObjectKey) -> dict[str, Any] | None:
        async with self.node.db.connect() as conn:
            stored = await ObjectStore(conn).get(key)
        return stored.parsed() if stored is not None and stored.is_local else None

    async def _set_evse(self, location: dict[str, Any], evse_uid: str, status: str) -> None:
        key = ObjectKey("locations", location["country_code"], location["party_id"], location["id"])
        patch = EvsePatch(status=Status(status), last_updated=billing.now_ms())
        await patch_local_evse(self.node.db, key, evse_uid, patch)

    async def _tariff(self, location: dict[str, Any], connector: dict[str, Any]) -> Any:
        for tariff_id in connector.get("tariff_ids") or []:
            key = ObjectKey("tariffs", location["country_code"], location["party_id"], tariff_id)
            tariff = await self._get(key)
            if tariff is not None:
                return tariff
        return None

    def _reservation_of(
        self, location_id: str, token_uid: str, evse_uid: str | None
    ) -> tuple[str, str, str] | None:
        """The reservation of this token at this location that a start on ``evse_uid`` takes."""
        for key, r in self._reservations.items():
            if r.location_id.upper() != location_id.upper():
                continue
            if r.token_uid.upper() != token_uid.upper():
                continue
            if evse_uid is None or r.evse_uid is None or r.evse_uid.upper() == evse_uid.upper():
                return key
        return None

    def _power(self, key: ObjectKey) -> Decimal:
        profile = self._profiles.get(key.normalised())
        if profile and profile.charging_rate_unit is ChargingRateUnit.W:
            periods = profile.charging_profile_period or []
            if periods:
                return min(self.power_kw, periods[0].limit / 1000)
        return self.power_kw

    # ---- commands -------------------------------------------------------------------------

    async def start_session(self, request: CommandRequest[StartSession]) -> CommandResult:
        body, location = request.body, request.location
        assert location is not None
        token_uid = body.token.uid
        if token_uid.upper() in self.rejected:
            return _result(CommandResultType.REJECTED, f"Token {token_uid} is not accepted here")
        reserved = self._reservation_of(body.location_id, token_uid, body.evse_uid)
        reservation = self._reservations.get(reserved) if reserved else None
        evse_uid = body.evse_uid or (reservation.evse_uid if reservation else None)
        if evse_uid is not None:
            evse = _find(location.get("evses"), "uid", evse_uid)
        else:
            evse = next(
                (e for e in location.get("evses") or [] if e.get("status") == "AVAILABLE"), None
            )
            if evse is None:
                return _result(CommandResultType.EVSE_OCCUPIED, "No EVSE is available")
        if evse is None:
            return _result(CommandResultType.REJECTED, f"Unknown EVSE {evse_uid}")
        status = evse.get("status")
        held = reservation is not None and (reservation.evse_uid or "").upper() == (
            str(evse["uid"]).upper()
        )
        if status == "RESERVED" and held:
            pass
        elif status in _OCCUPIED:
            return _result(CommandResultType.EVSE_OCCUPIED, f"EVSE {evse['uid']} is {status}")
        elif status != "AVAILABLE":
            return _result(CommandResultType.EVSE_INOPERATIVE, f"EVSE {evse['uid']} is {status}")
        connectors = evse.get("connectors") or []
        connector = _find(connectors, "id", body.connector_id) if body.connector_id else None
        connector = connector or connectors[0]
        tariff = await self._tariff(location, connector)
        started = billing.now_ms()
        if reserved is not None and reservation is not None:
            key = await self._take_reservation(reserved, body, evse, connector, tariff, started)
        else:
            session = billing.new_session(
                f"SIM{request.uid[:20].upper()}",
                request.cpo,
                body,
                evse["uid"],
                connector["id"],
                tariff["currency"] if tariff else self.currency,
                started,
            )
            await sessions.save_local(self.node.db, session)
            key = sessions.session_key(session).normalised()
        await self._set_evse(location, evse["uid"], "CHARGING")
        self._reported[key] = started
        self._timers[key] = asyncio.create_task(self._charge(key, tariff))
        log.info("simulator: session %s started on EVSE %s", key.object_id, evse["uid"])
        return _result(CommandResultType.ACCEPTED)

    async def _take_reservation(
        self,
        reserved: tuple[str, str, str],
        body: StartSession,
        evse: dict[str, Any],
        connector: dict[str, Any],
        tariff: Any,
        started: datetime,
    ) -> ObjectKey:
        """The driver who reserved starts charging: the RESERVATION Session becomes ACTIVE.

        ``mod_sessions.asciidoc §Reservation``: "When the reservation turns into a charging
        session for the same Token, the Session status SHALL be set to ACTIVE". The reservation
        time becomes a RESERVATION_TIME period; ``start_date_time`` is "the timestamp when the
        session became ACTIVE"; the StartSession's ``authorization_reference`` is the last one
        given (SES-05).
        """
        reservation = self._reservations.pop(reserved)
        if reservation.expiry is not None:
            reservation.expiry.cancel()
        period = billing.reservation_period(
            reservation.since, started, tariff["id"] if tariff else None
        )
        changes: dict[str, Any] = {
            "status": "ACTIVE",
            "start_date_time": started,
            "evse_uid": evse["uid"],
            "connector_id": connector["id"],
            "charging_periods": [period],
            "last_updated": started,
        }
        if body.authorization_reference:
            changes["authorization_reference"] = body.authorization_reference
        await sessions.patch_local(
            self.node.db, reservation.session, SessionPatch.model_validate(changes)
        )
        return reservation.session

    async def _charge(self, key: ObjectKey, tariff: Any) -> None:
        try:
            while True:
                await asyncio.sleep(self.period)
                async with self._lock(key):
                    if not await self._report(key, tariff, final=False):
                        return
        except Exception:  # noqa: BLE001 - a failing timer must not die silently
            log.exception("simulator: charging period of %s not reported", key.object_id)

    async def _report(self, key: ObjectKey, tariff: Any, *, final: bool) -> bool:
        """Add the charging period since the last report; False when the session ended."""
        session = await self._get(key)
        if session is None or session.get("status") != "ACTIVE":
            return False
        now = billing.now_ms()
        since = self._reported.get(key) or billing.now_ms()
        period = billing.charging_period(
            since, now, self._power(key), tariff["id"] if tariff else None
        )
        energy = period["dimensions"][0]["volume"]
        changes: dict[str, Any] = {
            "kwh": Decimal(str(session["kwh"])) + energy,
            "charging_periods": [period],
            "last_updated": now,
        }
        if final:
            changes.update(status="COMPLETED", end_date_time=now)
        await self._add_period(key, session, changes)
        self._reported[key] = now
        return True

    async def _add_period(
        self, key: ObjectKey, session: dict[str, Any], changes: dict[str, Any]
    ) -> Price | None:
        """PATCH the session with ``changes`` (one new period) and its ``total_cost``."""
        periods = [*(session.get("charging_periods") or []), *changes["charging_periods"]]
        cost = await pricing.price_session(
            self.node.db, {**session, **changes, "charging_periods": periods}
        )
        if cost is not None:  # total_cost of the session so far (docs/prices.md)
            changes["total_cost"] = cost
        await sessions.patch_local(self.node.db, key, SessionPatch.model_validate(changes))
        return cost

    async def _bill(self, key: ObjectKey, location: dict[str, Any], tariff: Any) -> CDR:
        """Store the priced CDR of the completed session ``key``."""
        completed = await self._get(key)
        assert completed is not None
        cdr = await pricing.price_local_cdr(
            self.node.db, billing.build_cdr(completed, location, tariff)
        )
        await cdrs.save_local(self.node.db, cdr)
        return cdr

    async def stop_session(self, request: CommandRequest[StopSession]) -> CommandResult:
        assert request.session is not None
        key = ObjectKey("sessions", request.cpo[0], request.cpo[1], request.body.session_id)
        key = key.normalised()
        async with self._lock(key):
            session = await self._get(key)
            if session is None or session.get("status") != "ACTIVE":
                return _result(CommandResultType.REJECTED, "The session is not active")
            location = await self._get(
                ObjectKey("locations", key.country_code, key.party_id, session["location_id"])
            )
            assert location is not None
            evse = _find(location.get("evses"), "uid", session["evse_uid"]) or {}
            connector = _find(evse.get("connectors"), "id", session["connector_id"]) or {}
            tariff = await self._tariff(location, connector)
            if key not in self._reported:  # started by another process: resume from the end
                self._reported[key] = billing.now_ms()
            await self._report(key, tariff, final=True)
            timer = self._timers.pop(key, None)
            if timer is not None:
                timer.cancel()
            self._profiles.pop(key, None)
            await self._set_evse(location, session["evse_uid"], "AVAILABLE")
            cdr = await self._bill(key, location, tariff)
        log.info("simulator: session %s stopped, CDR %s", key.object_id, cdr.id)
        return _result(CommandResultType.ACCEPTED)

    async def reserve_now(self, request: CommandRequest[ReserveNow]) -> CommandResult:
        body, location = request.body, request.location
        assert location is not None
        if body.token.uid.upper() in self.rejected:
            return _result(CommandResultType.REJECTED, f"Token {body.token.uid} is not accepted")
        key = (request.emsp[0], request.emsp[1], body.reservation_id.upper())
        mine = self._reservations.get(key)
        if mine is not None and mine.location_id.upper() != body.location_id.upper():
            text = f"Reservation {body.reservation_id} is held at location {mine.location_id}"
            return _result(CommandResultType.REJECTED, text)
        evse: dict[str, Any] | None = None
        if body.evse_uid is not None:
            evse = _find(location.get("evses"), "uid", body.evse_uid)
            if evse is None:
                return _result(CommandResultType.REJECTED, f"Unknown EVSE {body.evse_uid}")
            held = mine is not None and (mine.evse_uid or "").upper() == body.evse_uid.upper()
            if evse.get("status") != "AVAILABLE" and not held:
                return _result(CommandResultType.EVSE_OCCUPIED, f"EVSE is {evse.get('status')}")
        evse_uid = evse["uid"] if evse else None
        connector_id = _connector(evse).get("id", _NA)
        now = billing.now_ms()
        if mine is None:
            tariff = await self._tariff(location, _connector(evse))
            session = billing.new_session(
                f"SIM{request.uid[:20].upper()}",
                request.cpo,
                body,
                evse_uid or _NA,
                connector_id,
                tariff["currency"] if tariff else self.currency,
                now,
                status="RESERVATION",
            )
            await sessions.save_local(self.node.db, session)
            mine = _Reservation(
                body.location_id, None, body.token.uid, sessions.session_key(session), now
            )
        else:  # "same location + same reservation_id replaces the reservation" (CMD-07)
            if mine.expiry is not None:
                mine.expiry.cancel()
            changes: dict[str, Any] = {
                "evse_uid": evse_uid or _NA,
                "connector_id": connector_id,
                "last_updated": now,
            }
            if body.authorization_reference:
                changes["authorization_reference"] = body.authorization_reference
            await sessions.patch_local(
                self.node.db, mine.session, SessionPatch.model_validate(changes)
            )
            if mine.evse_uid is not None and (evse_uid or "").upper() != mine.evse_uid.upper():
                await self._set_evse(location, mine.evse_uid, "AVAILABLE")
            mine.token_uid = body.token.uid
        if evse is not None and evse.get("status") != "RESERVED":
            await self._set_evse(location, evse["uid"], "RESERVED")
        mine.evse_uid = evse_uid
        mine.expiry = asyncio.create_task(self._expire(key, body.expiry_date))
        self._reservations[key] = mine
        log.info("simulator: reservation %s, session %s", body.reservation_id, mine.session)
        return _result(CommandResultType.ACCEPTED)

    async def _expire(self, key: tuple[str, str, str], at: datetime) -> None:
        try:
            await asyncio.sleep(max(0.0, (at - billing.now_ms()).total_seconds()))
            if await self._end_reservation(key):
                log.info("simulator: reservation %s expired unused", key[2])
        except Exception:  # noqa: BLE001 - a failing timer must not die silently
            log.exception("simulator: reservation %s did not expire cleanly", key[2])

    async def cancel_reservation(self, request: CommandRequest[CancelReservation]) -> CommandResult:
        key = (request.emsp[0], request.emsp[1], request.body.reservation_id.upper())
        if not await self._end_reservation(key):
            return _result(CommandResultType.UNKNOWN_RESERVATION)
        return _result(CommandResultType.ACCEPTED)

    async def _end_reservation(self, key: tuple[str, str, str]) -> bool:
        """End an unused reservation (cancelled or expired); False when there is none.

        The Session is COMPLETED with the reservation time as its only period ("When the
        reservation does not result in a charging session, the Session status SHALL be set to
        COMPLETED") and priced; when that costs something and an EVSE was reserved, the CDR
        for the reservation follows.
        """
        reservation = self._reservations.pop(key, None)
        if reservation is None:
            return False
        if reservation.expiry is not None and reservation.expiry is not asyncio.current_task():
            reservation.expiry.cancel()
        session_key = reservation.session
        cpo = (session_key.country_code, session_key.party_id)
        location = await self._get(ObjectKey("locations", *cpo, reservation.location_id))
        async with self._lock(session_key):
            session = await self._get(session_key)
            if location is not None and reservation.evse_uid is not None:
                await self._set_evse(location, reservation.evse_uid, "AVAILABLE")
            if session is None or session.get("status") != "RESERVATION":
                return True
            connector = _connector_of(location, reservation.evse_uid, session["connector_id"])
            tariff = await self._tariff(location, connector) if location and connector else None
            now = billing.now_ms()
            period = billing.reservation_period(
                reservation.since, now, tariff["id"] if tariff else None
            )
            changes: dict[str, Any] = {
                "status": "COMPLETED",
                "end_date_time": now,
                "charging_periods": [period],
                "last_updated": now,
            }
            cost = await self._add_period(session_key, session, changes)
            if location is not None and tariff is not None and cost and cost.excl_vat > 0:
                await self._bill(session_key, location, tariff)
        return True

    async def unlock_connector(self, request: CommandRequest[UnlockConnector]) -> CommandResult:
        return _result(CommandResultType.ACCEPTED)

    # ---- charging profiles ----------------------------------------------------------------

    def _session_key(self, request: ProfileRequest[Any]) -> ObjectKey:
        s = request.session
        return ObjectKey("sessions", s["country_code"], s["party_id"], s["id"]).normalised()

    async def set_charging_profile(
        self, request: ProfileRequest[SetChargingProfile]
    ) -> ChargingProfileResult:
        if request.session.get("status") != "ACTIVE":
            return ChargingProfileResult(result=ChargingProfileResultType.REJECTED)
        self._profiles[self._session_key(request)] = request.body.charging_profile
        return ChargingProfileResult(result=ChargingProfileResultType.ACCEPTED)

    async def get_active_charging_profile(
        self, request: ProfileRequest[int]
    ) -> ActiveChargingProfileResult:
        if request.session.get("status") != "ACTIVE":
            return ActiveChargingProfileResult(result=ChargingProfileResultType.REJECTED)
        key = self._session_key(request)
        watts = self._power(key) * 1000
        profile = ChargingProfile.model_validate(
            {
                "charging_rate_unit": "W",
                "duration": request.body,
                "charging_profile_period": [
                    {"start_period": 0, "limit": watts.quantize(Decimal(1))}
                ],
            }
        )
        active = ActiveChargingProfile(start_date_time=billing.now_ms(), charging_profile=profile)
        return ActiveChargingProfileResult(
            result=ChargingProfileResultType.ACCEPTED, profile=active
        )

    async def clear_charging_profile(self, request: ProfileRequest[None]) -> ClearProfileResult:
        if self._profiles.pop(self._session_key(request), None) is None:
            return ClearProfileResult(result=ChargingProfileResultType.UNKNOWN)
        return ClearProfileResult(result=ChargingProfileResultType.ACCEPTED)

    async def close(self) -> None:
        expiries = [r.expiry for r in self._reservations.values() if r.expiry is not None]
        timers = [*self._timers.values(), *expiries]
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        self._timers.clear()
