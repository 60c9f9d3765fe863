"""The data modules of a peer's API: Locations, Tariffs, Sessions, CDRs and Tokens.

:class:`DataModules` is the half of :class:`~ocpikit.client.ocpi.OcpiClient` that moves
OCPI objects (Sender lists and GETs, Receiver PUT/PATCH/POST/DELETE); the other half, in
``ocpi.py``, sends requests that expect an answer (commands, charging profiles) and Hub
client info.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from ocpikit.catalog import MODULES
from ocpikit.client.http import OcpiReply
from ocpikit.client.peer import Party, PeerClient
from ocpikit.client.tolerant import Checked
from ocpikit.errors import PeerError
from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.common import OcpiModel, TokenType
from ocpikit.protocol.v221.locations import (
    EVSE,
    Connector,
    ConnectorPatch,
    EvsePatch,
    Location,
    LocationPatch,
)
from ocpikit.protocol.v221.sessions import (
    ChargingPreferences,
    ChargingPreferencesResponse,
    Session,
    SessionPatch,
)
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.protocol.v221.tokens import AuthorizationInfo, LocationReferences, Token, TokenPatch
from ocpikit.versions import PROFILES, V221
from ocpikit.wire import render

__all__ = ["LIST_MODELS", "DataModules", "parse_reply", "path_of"]

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger("ocpikit.client")


def _list_models() -> dict[str, tuple[type[OcpiModel], tuple[str, ...]]]:
    """Module -> (domain model of its list, fields that must be valid as sent).

    From the catalog: every module whose Sender lists its main objects.
    """
    out: dict[str, tuple[type[OcpiModel], tuple[str, ...]]] = {}
    for m in MODULES.values():
        if m.listed:
            model = V221.wire_model(m.id, m.parts[m.main_part][0])
            assert issubclass(model, OcpiModel)
            out[m.id] = (model, m.identity)
    return out


LIST_MODELS = _list_models()

# Sessions lists require date_from (TF-51): a full crawl asks from the epoch.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def path_of(*parts: str) -> str:
    return "".join(f"/{quote(p, safe='')}" for p in parts)


def parse_reply(model: type[M], data: Any, url: str) -> M:
    """The envelope's ``data`` as ``model``.

    A one-object list where one object is expected is unwrapped (extrawest-ocpi answers a
    GET of one Location, EVSE or Connector with ``[{...}]``).

    Raises:
        PeerError: when ``data`` is not a valid ``model``.
    """
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        log.info("%s answered a list of one %s; reading the object", url, model.__name__)
        data = data[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or model.__name__
        raise PeerError(
            f"{url} answered an invalid {model.__name__} ({where}: {first['msg']})", url=url
        ) from exc


def _asked_token(owner: Party, uid: str, token_type: TokenType) -> dict[str, Any]:
    """The Token a 2.1.1 authorization was asked for, when the node has none cached.

    2.2.1's AuthorizationInfo requires a Token; 2.1.1's does not carry one. What the node
    knows is the uid and type it asked about and the eMSP it asked: the rest says so.
    """
    return {
        "country_code": owner[0],
        "party_id": owner[1],
        "uid": uid,
        "type": token_type.value,
        "contract_id": uid,
        "issuer": "unknown (OCPI 2.1.1 authorization)",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


class DataModules(PeerClient):
    """Lists, GETs and Receiver writes of the data modules, typed with the wire models."""

    async def _call(
        self,
        module: str,
        role: str,
        method: str,
        path: str = "",
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        from_party: Party | None = None,
        to_party: Party | None = None,
    ) -> OcpiReply:
        ours, theirs = self.parties(module, role)
        url = self.endpoint(module, role) + path
        reply = await self.request(
            method,
            url,
            json=json,
            params=params,
            from_party=from_party or ours,
            to_party=to_party or theirs,
        )
        return reply

    async def _get(self, model: type[M], module: str, role: str, path: str, **kw: Any) -> M:
        reply = await self._call(module, role, "GET", path, **kw)
        return parse_reply(model, reply.data, self.endpoint(module, role) + path)

    def list_of(
        self,
        module: str,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Checked[Any]]:
        """Every object of a Sender list (module in :data:`LIST_MODELS`), checked."""
        model, identity = LIST_MODELS[module]
        if module == "sessions" and date_from is None:
            date_from = _EPOCH
        return self.iterate(
            module,
            model,
            date_from=date_from,
            date_to=date_to,
            page_size=page_size,
            identity=identity,
        )

    # ---- locations -----------------------------------------------------------------------

    def list_locations(
        self,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Checked[Location]]:
        return self.list_of("locations", date_from=date_from, date_to=date_to, page_size=page_size)

    async def get_location(self, location_id: str) -> Location:
        return await self._get(Location, "locations", "SENDER", path_of(location_id))

    async def get_evse(self, location_id: str, evse_uid: str) -> EVSE:
        return await self._get(EVSE, "locations", "SENDER", path_of(location_id, evse_uid))

    async def get_connector(self, location_id: str, evse_uid: str, connector_id: str) -> Connector:
        path = path_of(location_id, evse_uid, connector_id)
        return await self._get(Connector, "locations", "SENDER", path)

    async def get_received_location(self, cc: str, pid: str, location_id: str) -> Location:
        """A location of ours as the peer (a Receiver) stores it."""
        path = path_of(cc, pid, location_id)
        return await self._get(Location, "locations", "RECEIVER", path, from_party=(cc, pid))

    async def put_location(self, location: Location) -> None:
        owner = (location.country_code, location.party_id)
        path = path_of(*owner, location.id)
        await self._call(
            "locations", "RECEIVER", "PUT", path, json=location.to_wire(), from_party=owner
        )

    async def put_evse(self, cc: str, pid: str, location_id: str, evse: EVSE) -> None:
        path = path_of(cc, pid, location_id, evse.uid)
        await self._call(
            "locations", "RECEIVER", "PUT", path, json=evse.to_wire(), from_party=(cc, pid)
        )

    async def put_connector(
        self, cc: str, pid: str, location_id: str, evse_uid: str, connector: Connector
    ) -> None:
        path = path_of(cc, pid, location_id, evse_uid, connector.id)
        body = connector.to_wire()
        await self._call("locations", "RECEIVER", "PUT", path, json=body, from_party=(cc, pid))

    async def patch_location(
        self,
        cc: str,
        pid: str,
        location_id: str,
        patch: LocationPatch | EvsePatch | ConnectorPatch,
        evse_uid: str | None = None,
        connector_id: str | None = None,
    ) -> None:
        """PATCH a Location, or one of its EVSEs or Connectors: only the fields set."""
        ids = [i for i in (evse_uid, connector_id) if i is not None]
        path = path_of(cc, pid, location_id, *ids)
        body = patch.model_dump(mode="json", exclude_unset=True)
        await self._call("locations", "RECEIVER", "PATCH", path, json=body, from_party=(cc, pid))

    # ---- tariffs -------------------------------------------------------------------------

    def list_tariffs(
        self,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Checked[Tariff]]:
        return self.list_of("tariffs", date_from=date_from, date_to=date_to, page_size=page_size)

    async def get_received_tariff(self, cc: str, pid: str, tariff_id: str) -> Tariff:
        path = path_of(cc, pid, tariff_id)
        return await self._get(Tariff, "tariffs", "RECEIVER", path, from_party=(cc, pid))

    async def put_tariff(self, tariff: Tariff) -> None:
        owner = (tariff.country_code, tariff.party_id)
        path = path_of(*owner, tariff.id)
        await self._call(
            "tariffs", "RECEIVER", "PUT", path, json=tariff.to_wire(), from_party=owner
        )

    async def delete_tariff(self, cc: str, pid: str, tariff_id: str) -> None:
        await self._call(
            "tariffs", "RECEIVER", "DELETE", path_of(cc, pid, tariff_id), from_party=(cc, pid)
        )

    # ---- sessions ------------------------------------------------------------------------

    def list_sessions(
        self,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Checked[Session]]:
        return self.list_of("sessions", date_from=date_from, date_to=date_to, page_size=page_size)

    async def set_charging_preferences(
        self, session_id: str, preferences: ChargingPreferences
    ) -> ChargingPreferencesResponse:
        path = path_of(session_id, "charging_preferences")
        reply = await self._call("sessions", "SENDER", "PUT", path, json=preferences.to_wire())
        try:
            return ChargingPreferencesResponse(reply.data)
        except ValueError as exc:
            url = self.endpoint("sessions", "SENDER") + path
            raise PeerError(
                f"{url} answered {reply.data!r}, not a preferences response", url=url
            ) from exc

    async def get_received_session(self, cc: str, pid: str, session_id: str) -> Session:
        path = path_of(cc, pid, session_id)
        return await self._get(Session, "sessions", "RECEIVER", path, from_party=(cc, pid))

    async def put_session(self, session: Session) -> None:
        owner = (session.country_code, session.party_id)
        to = (session.cdr_token.country_code, session.cdr_token.party_id)
        await self._call(
            "sessions",
            "RECEIVER",
            "PUT",
            path_of(*owner, session.id),
            json=session.to_wire(),
            from_party=owner,
            to_party=to,
        )

    async def patch_session(self, cc: str, pid: str, session_id: str, patch: SessionPatch) -> None:
        body = patch.model_dump(mode="json", exclude_unset=True)
        path = path_of(cc, pid, session_id)
        await self._call("sessions", "RECEIVER", "PATCH", path, json=body, from_party=(cc, pid))

    # ---- cdrs ----------------------------------------------------------------------------

    def list_cdrs(
        self,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Checked[CDR]]:
        return self.list_of("cdrs", date_from=date_from, date_to=date_to, page_size=page_size)

    async def post_cdr(self, cdr: CDR) -> str | None:
        """POST a CDR to the peer's Receiver; returns the ``Location`` URL it answered."""
        owner = (cdr.country_code, cdr.party_id)
        to = (cdr.cdr_token.country_code, cdr.cdr_token.party_id)
        reply = await self._call(
            "cdrs", "RECEIVER", "POST", json=cdr.to_wire(), from_party=owner, to_party=to
        )
        location: str | None = reply.headers.get("Location")
        return location

    async def get_received_cdr(self, url: str) -> CDR:
        """The CDR at the URL the peer answered to :meth:`post_cdr`."""
        ours, theirs = self.parties("cdrs", "RECEIVER")
        reply = await self.request("GET", url, from_party=ours, to_party=theirs)
        return parse_reply(CDR, reply.data, url)

    # ---- tokens --------------------------------------------------------------------------

    def list_tokens(
        self,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Checked[Token]]:
        return self.list_of("tokens", date_from=date_from, date_to=date_to, page_size=page_size)

    async def authorize(
        self,
        token_uid: str,
        token_type: TokenType = TokenType.RFID,
        location: LocationReferences | None = None,
        *,
        to_party: Party | None = None,
        token: dict[str, Any] | None = None,
    ) -> AuthorizationInfo:
        """Real-time authorization (TOK-21); an unknown token is a PeerError (404, 2004).

        ``to_party``: the eMSP party that owns the token (``OCPI-to-*``), when the peer holds
        several (a Hub); by default the peer's first party of the role. ``token``: the
        cached domain Token, for a 2.1.1 peer, whose AuthorizationInfo does not carry it.
        """
        path = path_of(token_uid, "authorize")
        body = location.to_wire() if location is not None else None
        url = self.endpoint("tokens", "SENDER") + path
        version = PROFILES.get(self.peer.version or "", V221)
        if version.canonical:
            reply = await self._call(
                "tokens",
                "SENDER",
                "POST",
                path,
                json=body,
                params={"type": token_type.value},
                to_party=to_party,
            )
            return parse_reply(AuthorizationInfo, reply.data, url)
        # OCPI 2.1.1: no type parameter, and an AuthorizationInfo without the token.
        owner = to_party or self.parties("tokens", "SENDER")[1] or ("", "")
        ctx = MapContext(*owner)
        if body is not None:
            body = render(version, "tokens", body, ctx, part="location_references")
        reply = await self._call("tokens", "SENDER", "POST", path, json=body)
        if isinstance(reply.data, list) and len(reply.data) == 1:
            reply_data: Any = reply.data[0]
        else:
            reply_data = reply.data
        try:
            wire = version.wire_model("tokens", "AuthorizationInfo").model_validate(reply_data)
            domain = version.mapping("tokens").to_domain(
                wire.model_dump(mode="json", exclude_none=True),
                ctx,
                "authorization_info",
                token=token or _asked_token(owner, token_uid, token_type),
            )
        except (ValidationError, MappingError) as exc:
            raise PeerError(f"{url} answered an invalid AuthorizationInfo: {exc}", url=url) from exc
        return parse_reply(AuthorizationInfo, domain, url)

    async def get_received_token(
        self, cc: str, pid: str, token_uid: str, token_type: TokenType = TokenType.RFID
    ) -> Token:
        path = path_of(cc, pid, token_uid)
        params = {"type": token_type.value}
        return await self._get(
            Token, "tokens", "RECEIVER", path, params=params, from_party=(cc, pid)
        )

    async def put_token(self, token: Token) -> None:
        owner = (token.country_code, token.party_id)
        await self._call(
            "tokens",
            "RECEIVER",
            "PUT",
            path_of(*owner, token.uid),
            json=token.to_wire(),
            params={"type": token.type.value},
            from_party=owner,
        )

    async def patch_token(
        self,
        cc: str,
        pid: str,
        token_uid: str,
        patch: TokenPatch,
        token_type: TokenType = TokenType.RFID,
    ) -> None:
        body = patch.model_dump(mode="json", exclude_unset=True)
        await self._call(
            "tokens",
            "RECEIVER",
            "PATCH",
            path_of(cc, pid, token_uid),
            json=body,
            params={"type": token_type.value},
            from_party=(cc, pid),
        )
