"""Charging Preferences: ``PUT {sessions_endpoint_url}/{session_id}/charging_preferences``.

``mod_sessions.asciidoc §Set: Charging Preferences`` and ``§ChargingPreferencesResponse enum``:
the eMSP sends the driver's preferences for one of its ongoing sessions; the CPO answers with
a ChargingPreferencesResponse in ``data``. Decisions (the spec leaves the policy to the CPO):

- The session must be one of ours whose token belongs to the caller, else 404 (2000).
- "If a PUT with ``ChargingPreferences`` is received for an EVSE that does not have the
  capability ``CHARGING_PREFERENCES_CAPABLE``, the receiver should respond with an HTTP
  status of 404 and an OCPI status code of 2001" (SES-11): that is an error envelope, not
  ``NOT_POSSIBLE``. The EVSE is looked up in our own Locations; an EVSE we cannot find
  (unknown location, ``#NA`` for a reservation) has no capabilities either.
- ``NOT_POSSIBLE`` ("a demand that the EVSE knows it cannot fulfill"): the session is no
  longer ongoing (``COMPLETED``/``INVALID``), or ``departure_time`` is already past.
- ``PROFILE_TYPE_NOT_SUPPORTED``: ``§ChargingPreferences Object`` says the ProfileType "has to
  be supported at the Connector and for every supported ProfileType, a Tariff MUST be
  provided". A connector supports a profile when one of its tariffs (stored in our Tariffs)
  has the matching ``type`` (``PROFILE_CHEAP``... or ``REGULAR``), or has no ``type`` ("valid
  for all sessions"). When none of the connector's tariffs is known to us, any profile is
  accepted: we cannot judge.
- ``ACCEPTED``: the preferences are stored (:func:`get_preferences`) and an event
  ``session.charging_preferences`` tells the CPO's systems to act on them. Other answers store
  nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ocpikit.catalog import owner_roles
from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.modules.common import caller_parties, validate_merged
from ocpikit.modules.sessions.service import MODULE, audience_of
from ocpikit.protocol.v221.locations import Capability
from ocpikit.protocol.v221.sessions import (
    ChargingPreferences,
    ChargingPreferencesResponse,
    Session,
    SessionStatus,
)
from ocpikit.protocol.v221.tariffs import TariffType
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.transport.security import Caller

__all__ = ["PREFERENCES_MODULE", "get_preferences", "set_preferences"]

# Stored apart from the sessions (never in a Sessions list): module, then the session's key.
PREFERENCES_MODULE = "charging_preferences"

_PROFILE_TARIFF = {
    "CHEAP": TariffType.PROFILE_CHEAP,
    "FAST": TariffType.PROFILE_FAST,
    "GREEN": TariffType.PROFILE_GREEN,
    "REGULAR": TariffType.REGULAR,
}
_ENDED = {SessionStatus.COMPLETED, SessionStatus.INVALID}


def _find(items: list[dict[str, Any]] | None, field: str, value: str) -> dict[str, Any] | None:
    return next((i for i in items or [] if str(i.get(field, "")).upper() == value.upper()), None)


async def _visible_session(store: ObjectStore, caller: Caller, session_id: str) -> Session:
    parties = {
        (cc.upper(), pid.upper()) for cc, pid in caller_parties(caller, owner_roles("tokens"))
    }
    for obj in await store.find(MODULE, session_id, is_local=True):
        session = Session.model_validate(obj.parsed())
        cc, pid = audience_of(session)
        if (cc.upper(), pid.upper()) in parties:
            return session
    raise NotFound(f"Unknown session {session_id!r}")


async def _connector(store: ObjectStore, session: Session) -> dict[str, Any]:
    """The session's connector in our Locations, on a CHARGING_PREFERENCES_CAPABLE EVSE."""
    key = ObjectKey("locations", session.country_code, session.party_id, session.location_id)
    location = await store.get(key)
    evse = _find(location.parsed().get("evses"), "uid", session.evse_uid) if location else None
    if evse is None or Capability.CHARGING_PREFERENCES_CAPABLE not in (
        evse.get("capabilities") or []
    ):
        raise InvalidParameters(
            f"EVSE {session.evse_uid!r} of session {session.id!r} is not"
            " CHARGING_PREFERENCES_CAPABLE",
            http_status=404,
        )
    return _find(evse.get("connectors"), "id", session.connector_id) or {}


async def _profile_supported(
    store: ObjectStore, session: Session, connector: dict[str, Any], profile: str
) -> bool:
    types: list[str | None] = []
    for tariff_id in connector.get("tariff_ids") or []:
        key = ObjectKey("tariffs", session.country_code, session.party_id, tariff_id)
        tariff = await store.get(key)
        if tariff is not None:
            types.append(tariff.parsed().get("type"))
    if not types:
        return True
    return None in types or _PROFILE_TARIFF[profile].value in types


async def set_preferences(
    db: Database, caller: Caller, session_id: str, body: Any
) -> ChargingPreferencesResponse:
    """Judge (and, when accepted, store) the preferences an eMSP sends for one of its sessions.

    Raises:
        InvalidParameters: 2001 for a bad body; 2001 with HTTP 404 for an EVSE that is not
            CHARGING_PREFERENCES_CAPABLE.
        NotFound: for a session that is not ours or whose token is not the caller's.
    """
    preferences = validate_merged(ChargingPreferences, body)
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        session = await _visible_session(store, caller, session_id)
        connector = await _connector(store, session)
        if session.status in _ENDED:
            return ChargingPreferencesResponse.NOT_POSSIBLE
        departure = preferences.departure_time
        if departure is not None and departure <= datetime.now(UTC):
            return ChargingPreferencesResponse.NOT_POSSIBLE
        profile = preferences.profile_type.value
        if not await _profile_supported(store, session, connector, profile):
            return ChargingPreferencesResponse.PROFILE_TYPE_NOT_SUPPORTED
        key = ObjectKey(PREFERENCES_MODULE, session.country_code, session.party_id, session.id)
        await store.put(
            key,
            preferences.to_json_bytes(),
            last_updated=datetime.now(UTC),
            is_local=False,
            peer_id=caller.peer.id if caller.peer else None,
            audience=audience_of(session),
        )
        await EventLog(conn).append(
            "session.charging_preferences",
            MODULE,
            country_code=session.country_code,
            party_id=session.party_id,
            object_id=session.id,
            peer_id=caller.peer.id if caller.peer else None,
            data=preferences.to_wire(),
        )
        return ChargingPreferencesResponse.ACCEPTED


async def get_preferences(db: Database, session_key: ObjectKey) -> ChargingPreferences | None:
    """The last preferences accepted for one of our sessions (for the CPO's smart charging)."""
    key = ObjectKey(
        PREFERENCES_MODULE, session_key.country_code, session_key.party_id, session_key.object_id
    )
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(key)
    return ChargingPreferences.model_validate(stored.parsed()) if stored else None
