"""The credentials handshake, both directions (``credentials.asciidoc``).

As receiver (a peer calls us):

- POST with token A: call the peer back with its token B (versions, then the details of the
  version whose credentials endpoint was called), store its endpoints and roles, answer our
  credentials with a fresh token C, and invalidate token A, all before answering (CRED-15,
  CRED-16). 3001/3002/3003 when its API is unusable, shares no version, lacks endpoints.
- PUT with the peer's token: re-fetch its endpoints with the token in the body and rotate
  the token we issued (CRED-30..32).
- DELETE: the peer's token is revoked at once (CRED-33).

As initiator (``ocpikit peer register``): discover the peer with token A, issue token B,
POST our credentials, and store the token C it answers with (CRED-11..17).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.catalog import counterpart
from ocpikit.client.http import PeerHttp, call
from ocpikit.errors import (
    AuthError,
    InvalidParameters,
    NoMatchingEndpoints,
    PeerError,
    UnableToUseClientApi,
    UnsupportedVersion,
)
from ocpikit.mappings.context import MapContext
from ocpikit.modules.credentials.discovery import DiscoveryError, PeerApi, discover, with_roles
from ocpikit.node import Node, credentials_roles
from ocpikit.protocol.v221.credentials import Credentials
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import (
    ConfigRepository,
    LocalParty,
    PartyRepository,
    Peer,
    PeerRepository,
    PeerRole,
    TokenRepository,
    new_token,
)
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.edge import Edge
from ocpikit.versions import SUPPORTED_VERSIONS, VersionProfile, profile

__all__ = [
    "HandshakeError",
    "accept_registration",
    "our_credentials",
    "register_with_peer",
    "unregister",
    "unregister_peer",
    "update_registration",
    "update_with_peer",
]

_DISCOVERY_ERRORS = {
    "unreachable": UnableToUseClientApi,
    "version": UnsupportedVersion,
    "endpoints": NoMatchingEndpoints,
}


class HandshakeError(Exception):
    """Our own registration with a peer failed; the message says why, in one sentence."""


def _domain_credentials(token: str, versions_url: str, parties: list[LocalParty]) -> dict[str, Any]:
    return {"token": token, "url": versions_url, "roles": credentials_roles(parties)}


def _ctx(party: LocalParty | None) -> MapContext:
    return MapContext(party.country_code, party.party_id) if party else MapContext("", "")


def our_credentials(node: Node, edge: Edge, token: str) -> dict[str, Any]:
    """Our Credentials object at ``edge``, carrying ``token``.

    A per-party version (2.1.1) answers one party, the edge's, with that party's own
    versions URL; a version with roles answers every local party.
    """
    return _our_credentials(token, node.base_url, node.parties, edge.profile, edge.party)


def _our_credentials(
    token: str,
    base_url: str,
    parties: list[LocalParty],
    version: VersionProfile,
    party: LocalParty | None,
) -> dict[str, Any]:
    if not version.per_party or party is None:
        return _domain_credentials(token, f"{base_url}/ocpi/versions", parties)
    url = f"{base_url}/ocpi/{party.country_code}/{party.party_id}/versions"
    domain = _domain_credentials(token, url, [party])
    return version.mapping("credentials").to_wire(domain, _ctx(party))  # type: ignore[no-any-return]


def parse_credentials(edge: Edge, body: Any) -> Credentials:
    """A peer's Credentials as sent to ``edge``, as the domain (2.2.1-shaped) model.

    A 2.1.1 Credentials object names one party and no role: the peer plays the role on the
    other side of the edge's party (a CPO's 2.1.1 peer is an eMSP).

    Raises:
        InvalidParameters: 2001 naming the failing field.
    """
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object")
    try:
        return _credentials_in(edge.profile, edge.party, body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc


def _credentials_in(version: VersionProfile, party: LocalParty | None, body: Any) -> Credentials:
    """Credentials in ``version``'s form, sent to our ``party``, as the domain model.

    Raises:
        ValidationError: when ``body`` is not a valid Credentials object of ``version``.
    """
    if version.per_party and party is not None:
        wire = version.wire_model("credentials", "Credentials").model_validate(body)
        body = version.mapping("credentials").to_domain(
            wire.model_dump(mode="json", exclude_none=True),
            _ctx(party),
            roles=(counterpart(party.role),),
        )
    return Credentials.model_validate(body)


def _initiating_party(
    version: VersionProfile, parties: list[LocalParty], wanted: str | None
) -> LocalParty | None:
    """Our party for a handshake in ``version``.

    ``wanted`` (``CC:PID``), else the first CPO or eMSP for a per-party version (2.1.1), else
    None (every party, 2.2+).

    Raises:
        HandshakeError: when ``wanted`` is not a CPO or eMSP party of this node, or this node
            has none for a per-party version.
    """
    if wanted is None and not version.per_party:
        return None
    candidates = [p for p in parties if p.role in ("CPO", "EMSP")]
    if wanted is not None:
        cc, _, pid = wanted.upper().partition(":")
        candidates = [p for p in candidates if (p.country_code, p.party_id) == (cc, pid)]
        if not candidates:
            raise HandshakeError(f"{wanted} is not a CPO or eMSP party of this node")
    if not candidates:
        raise HandshakeError(
            f"OCPI {version.version} connects a CPO or an eMSP; this node has none"
        )
    return candidates[0] if version.per_party else None


def _roles(credentials: Credentials) -> list[PeerRole]:
    return [
        PeerRole(
            role=r.role.value,
            country_code=r.country_code.upper(),
            party_id=r.party_id.upper(),
            business_details=r.business_details.to_wire(),
        )
        for r in credentials.roles
    ]


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


async def _check_roles(
    conn: AsyncConnection, roles: list[PeerRole], peer_id: int | None, versions_url: str
) -> None:
    """A peer may not claim this node's parties, another platform's, or one role twice.

    A party is its ``country_code``/``party_id`` whatever the role: OCPI routes by those two
    alone (``OCPI-from``/``OCPI-to``), and access rules check a party in its role
    (``ocpikit/catalog.py``). Registering another platform's party under a second role (an
    "EMSP" with a CPO's ids) would otherwise let a peer act for that party; it is refused.

    The same platform may hold a party in several registrations: an OCPI 2.1.1 platform
    registers once for each of our parties it connects to (one party per credentials). A
    platform is known by the origin of its versions URL, which this node has just called
    back with the token the platform gave: nobody else's server answers to that token.
    """
    if conn.dialect.name == "postgresql":
        # Two registrations racing for one party would both pass the check below;
        # registrations are rare, so serialise them.
        await conn.execute(text("LOCK TABLE peer_roles IN SHARE ROW EXCLUSIVE MODE"))
    own = {(p.country_code, p.party_id) for p in await PartyRepository(conn).list()}
    seen: set[tuple[str, str, str]] = set()
    repo = PeerRepository(conn)
    for role in roles:
        key = (role.role, role.country_code, role.party_id)
        label = f"{role.role} {role.country_code}:{role.party_id}"
        if key in seen:
            raise InvalidParameters(f"roles: {label} is listed twice")
        seen.add(key)
        if (role.country_code, role.party_id) in own:
            raise InvalidParameters(f"roles: {label} is a party of this node")
        for holder in await repo.party_holders(role.country_code, role.party_id) - {peer_id}:
            other = await repo.get(holder)
            if other is None or _origin(other.versions_url) != _origin(versions_url):
                raise InvalidParameters(f"roles: {label} is already registered by another platform")


async def _discover_caller(
    client: httpx.AsyncClient, credentials: Credentials, version: str
) -> PeerApi:
    """The calling peer's API, in the version whose credentials endpoint it called."""
    http = PeerHttp(client, credentials.token, probe_encoding=True)
    try:
        return await discover(http, credentials.url, version=version)
    except DiscoveryError as exc:
        raise _DISCOVERY_ERRORS[exc.reason](exc.message) from exc


def _peer_endpoints(api: PeerApi, credentials: Credentials) -> list[dict[str, str]]:
    """The peer's endpoints with a role each (2.1.1 endpoints have none: from its role)."""
    if profile(api.version).endpoints_have_role or not credentials.roles:
        return api.endpoints
    return with_roles(api.endpoints, credentials.roles[0].role.value)


def _local(edge: Edge) -> tuple[str, str] | None:
    party = edge.party if edge.profile.per_party else None
    return (party.country_code, party.party_id) if party else None


async def accept_registration(
    node: Node, edge: Edge, *, token_a_id: int, credentials: Credentials
) -> dict[str, Any]:
    """Register a peer that presented token A; returns our credentials with token C."""
    api = await _discover_caller(node.http, credentials, edge.version)
    roles = _roles(credentials)
    try:
        async with node.db.transaction() as conn:
            tokens = TokenRepository(conn)
            if not await tokens.revoke(token_a_id):
                raise AuthError("This registration token has just been used")
            await _check_roles(conn, roles, None, credentials.url)
            peers = PeerRepository(conn)
            peer_id = await peers.create(
                status="REGISTERED",
                versions_url=credentials.url,
                token_out=credentials.token,
                token_encoding=api.token_encoding,
                local_party=_local(edge),
            )
            await peers.update(
                peer_id,
                version=api.version,
                version_url=api.version_url,
                endpoints=_peer_endpoints(api, credentials),
            )
            await peers.set_roles(peer_id, roles)
            token_c = await tokens.issue(kind="C", peer_id=peer_id)
    except IntegrityError as exc:
        raise InvalidParameters("roles: already registered by another platform") from exc
    return our_credentials(node, edge, token_c)


async def update_registration(
    node: Node, edge: Edge, *, peer: Peer, token_id: int, credentials: Credentials
) -> dict[str, Any]:
    """Refresh a registered peer's endpoints (maybe a new version) and rotate its token.

    A PUT on another version's credentials endpoint moves the peer to that version (a 2.1.1
    peer moving to 2.2.1 talks to every local party from then on).
    """
    api = await _discover_caller(node.http, credentials, edge.version)
    roles = _roles(credentials)
    local = _local(edge)
    try:
        async with node.db.transaction() as conn:
            tokens = TokenRepository(conn)
            if not await tokens.revoke(token_id):
                raise AuthError("This token has just been replaced")
            await _check_roles(conn, roles, peer.id, credentials.url)
            peers = PeerRepository(conn)
            await peers.update(
                peer.id,
                versions_url=credentials.url,
                token_out=credentials.token,
                token_encoding=api.token_encoding,
                version=api.version,
                version_url=api.version_url,
                endpoints=_peer_endpoints(api, credentials),
                local_country_code=local[0] if local else None,
                local_party_id=local[1] if local else None,
            )
            await peers.set_roles(peer.id, roles)
            token_c = await tokens.issue(kind="C", peer_id=peer.id)
    except IntegrityError as exc:
        raise InvalidParameters("roles: already registered by another platform") from exc
    return our_credentials(node, edge, token_c)


async def unregister(db: Database, peer: Peer) -> None:
    """Forget a peer's registration: its tokens stop working at once."""
    async with db.transaction() as conn:
        await TokenRepository(conn).revoke_peer(peer.id)
        repo = PeerRepository(conn)
        await repo.set_roles(peer.id, [])
        await repo.update(peer.id, status="UNREGISTERED", token_out=None)


async def register_with_peer(
    db: Database,
    client: httpx.AsyncClient,
    *,
    versions_url: str,
    token_a: str,
    party: str | None = None,
    versions: Sequence[str] = SUPPORTED_VERSIONS,
) -> Peer:
    """Run the handshake as the initiator against a peer that issued ``token_a``.

    Our node must be serving while this runs: the peer calls our versions endpoint back with
    the token B issued here. In a per-party version (2.1.1) one of our parties registers:
    ``party`` (``CC:PID``), else our first CPO or eMSP. ``versions``: those our node offers
    (``OCPIKIT_VERSIONS``); the highest one the peer offers too is used.

    Raises:
        HandshakeError: with one sentence saying what went wrong; nothing is left stored.
    """
    async with db.connect() as conn:
        base_url = await ConfigRepository(conn).get("base_url")
        parties = await PartyRepository(conn).list()
    if not base_url or not parties:
        raise HandshakeError("this node is not initialised: run `ocpikit init` first")
    http = PeerHttp(client, token_a, probe_encoding=True)
    try:
        api = await discover(http, versions_url, ours=versions)
    except DiscoveryError as exc:
        raise HandshakeError(f"cannot register: {exc.message}") from exc
    version = profile(api.version)
    ours = _initiating_party(version, parties, party)
    credentials_url = next(e["url"] for e in api.endpoints if e["identifier"] == "credentials")

    async with db.transaction() as conn:
        peer_id = await PeerRepository(conn).create(
            status="PENDING",
            versions_url=versions_url,
            token_out=token_a,
            token_encoding=api.token_encoding,
            local_party=(ours.country_code, ours.party_id) if ours else None,
        )
        token_b = await TokenRepository(conn).issue(kind="C", peer_id=peer_id)
    try:
        reply = await call(
            client,
            "POST",
            credentials_url,
            token=token_a,
            encoding=api.token_encoding,
            json=_our_credentials(token_b, base_url, parties, version, ours),
        )
        theirs = _credentials_in(version, ours, reply.data)
        roles = _roles(theirs)
        async with db.transaction() as conn:
            await _check_roles(conn, roles, peer_id, theirs.url)
            repo = PeerRepository(conn)
            await repo.update(
                peer_id,
                status="REGISTERED",
                versions_url=theirs.url,
                token_out=theirs.token,
                version=api.version,
                version_url=api.version_url,
                endpoints=_peer_endpoints(api, theirs),
            )
            await repo.set_roles(peer_id, roles)
    except (PeerError, ValidationError, InvalidParameters, IntegrityError) as exc:
        async with db.transaction() as conn:
            await PeerRepository(conn).delete(peer_id)
        raise HandshakeError(f"the peer refused our credentials: {_reason(exc)}") from exc
    async with db.connect() as conn:
        peer = await PeerRepository(conn).get(peer_id)
    assert peer is not None
    return peer


async def update_with_peer(
    db: Database,
    client: httpx.AsyncClient,
    peer: Peer,
    versions: Sequence[str] = SUPPORTED_VERSIONS,
) -> Peer:
    """Refresh our registration with a peer (PUT credentials): new endpoints, new tokens.

    A new token B is issued before the PUT (the peer calls us back with it); the peer's
    previous token stays valid until the peer has accepted the new one, then it is revoked.

    Raises:
        HandshakeError: with one sentence saying what went wrong; the old tokens keep working.
    """
    if peer.status != "REGISTERED" or not peer.token_out:
        raise HandshakeError(f"peer {peer.name} is not registered")
    async with db.connect() as conn:
        base_url = await ConfigRepository(conn).get("base_url")
        parties = await PartyRepository(conn).list()
    http = PeerHttp(client, peer.token_out, peer.token_encoding)
    try:
        api = await discover(http, peer.versions_url, ours=versions)
    except DiscoveryError as exc:
        raise HandshakeError(f"cannot update: {exc.message}") from exc
    version = profile(api.version)
    kept = ":".join(peer.local_party) if peer.local_party and version.per_party else None
    ours = _initiating_party(version, parties, kept)
    credentials_url = next(e["url"] for e in api.endpoints if e["identifier"] == "credentials")
    new = new_token()
    async with db.transaction() as conn:
        new_id = await TokenRepository(conn).store(new, kind="C", peer_id=peer.id)
    try:
        reply = await call(
            client,
            "PUT",
            credentials_url,
            token=peer.token_out,
            encoding=api.token_encoding,
            json=_our_credentials(new, base_url or "", parties, version, ours),
        )
        theirs = _credentials_in(version, ours, reply.data)
        roles = _roles(theirs)
        async with db.transaction() as conn:
            await _check_roles(conn, roles, peer.id, theirs.url)
            tokens = TokenRepository(conn)
            await tokens.revoke_peer(peer.id, keep=new_id)
            repo = PeerRepository(conn)
            await repo.update(
                peer.id,
                versions_url=theirs.url,
                token_out=theirs.token,
                token_encoding=api.token_encoding,
                version=api.version,
                version_url=api.version_url,
                endpoints=_peer_endpoints(api, theirs),
                local_country_code=ours.country_code if ours else None,
                local_party_id=ours.party_id if ours else None,
            )
            await repo.set_roles(peer.id, roles)
    except (PeerError, ValidationError, InvalidParameters, IntegrityError) as exc:
        async with db.transaction() as conn:
            await TokenRepository(conn).revoke(new_id)
        raise HandshakeError(f"the peer refused the update: {_reason(exc)}") from exc
    async with db.connect() as conn:
        updated = await PeerRepository(conn).get(peer.id)
    assert updated is not None
    return updated


def _reason(exc: Exception) -> str:
    if isinstance(exc, PeerError | InvalidParameters):
        return exc.message
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"its credentials are not valid ({'.'.join(map(str, first['loc']))}: {first['msg']})"
    return "its roles are already registered here by another platform"


async def unregister_peer(db: Database, client: httpx.AsyncClient, peer: Peer) -> str | None:
    """Unregister from a peer (DELETE on its credentials) and forget it here.

    Returns:
        A warning when the peer could not be told; the local registration is removed anyway.
    """
    warning = None
    url = peer.endpoint("credentials")
    if url and peer.token_out and peer.status == "REGISTERED":
        try:
            await call(client, "DELETE", url, token=peer.token_out, encoding=peer.token_encoding)
        except PeerError as exc:
            warning = f"the peer was not told ({exc.message}); it is unregistered here"
    await unregister(db, peer)
    return warning
