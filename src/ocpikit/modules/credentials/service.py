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

from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.client.http import PeerHttp, call
from ocpikit.errors import (
    AuthError,
    InvalidParameters,
    NoMatchingEndpoints,
    PeerError,
    UnableToUseClientApi,
    UnsupportedVersion,
)
from ocpikit.modules.credentials.discovery import DiscoveryError, PeerApi, discover
from ocpikit.node import credentials_roles
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


def our_credentials(token: str, versions_url: str, parties: list[LocalParty]) -> dict[str, Any]:
    return {"token": token, "url": versions_url, "roles": credentials_roles(parties)}


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


async def _check_roles(conn: AsyncConnection, roles: list[PeerRole], peer_id: int | None) -> None:
    """A peer may not claim this node's parties, another peer's, or one role twice.

    A party is its ``country_code``/``party_id`` whatever the role: OCPI routes by those two
    alone (``OCPI-from``/``OCPI-to``), and access rules check a party in its role
    (``ocpikit/catalog.py``). Registering another platform's party under a second role (an
    "EMSP" with a CPO's ids) would otherwise let a peer act for that party; it is refused.
    """
    if conn.dialect.name == "postgresql":
        # Two registrations racing for one party in different roles would both pass the
        # check below (the unique key is per role); registrations are rare, so serialise them.
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
        holders = await repo.party_holders(role.country_code, role.party_id) - {peer_id}
        if holders:
            raise InvalidParameters(f"roles: {label} is already registered by another platform")


async def _discover_caller(
    client: httpx.AsyncClient, credentials: Credentials, version: str
) -> PeerApi:
    http = PeerHttp(client, credentials.token, probe_encoding=True)
    try:
        return await discover(http, credentials.url, version=version)
    except DiscoveryError as exc:
        raise _DISCOVERY_ERRORS[exc.reason](exc.message) from exc


async def accept_registration(
    db: Database,
    client: httpx.AsyncClient,
    *,
    token_a_id: int,
    credentials: Credentials,
    version: str,
    versions_url: str,
) -> dict[str, Any]:
    """Register a peer that presented token A; returns our credentials with token C."""
    api = await _discover_caller(client, credentials, version)
    roles = _roles(credentials)
    try:
        async with db.transaction() as conn:
            tokens = TokenRepository(conn)
            if not await tokens.revoke(token_a_id):
                raise AuthError("This registration token has just been used")
            await _check_roles(conn, roles, None)
            peers = PeerRepository(conn)
            peer_id = await peers.create(
                status="REGISTERED",
                versions_url=credentials.url,
                token_out=credentials.token,
                token_encoding=api.token_encoding,
            )
            await peers.update(
                peer_id, version=api.version, version_url=api.version_url, endpoints=api.endpoints
            )
            await peers.set_roles(peer_id, roles)
            token_c = await tokens.issue(kind="C", peer_id=peer_id)
            parties = await PartyRepository(conn).list()
    except IntegrityError as exc:
        raise InvalidParameters("roles: already registered by another platform") from exc
    return our_credentials(token_c, versions_url, parties)


async def update_registration(
    db: Database,
    client: httpx.AsyncClient,
    *,
    peer: Peer,
    token_id: int,
    credentials: Credentials,
    version: str,
    versions_url: str,
) -> dict[str, Any]:
    """Refresh a registered peer's endpoints (maybe a new version) and rotate its token."""
    api = await _discover_caller(client, credentials, version)
    roles = _roles(credentials)
    try:
        async with db.transaction() as conn:
            tokens = TokenRepository(conn)
            if not await tokens.revoke(token_id):
                raise AuthError("This token has just been replaced")
            await _check_roles(conn, roles, peer.id)
            peers = PeerRepository(conn)
            await peers.update(
                peer.id,
                versions_url=credentials.url,
                token_out=credentials.token,
                token_encoding=api.token_encoding,
                version=api.version,
                version_url=api.version_url,
                endpoints=api.endpoints,
            )
            await peers.set_roles(peer.id, roles)
            token_c = await tokens.issue(kind="C", peer_id=peer.id)
            parties = await PartyRepository(conn).list()
    except IntegrityError as exc:
        raise InvalidParameters("roles: already registered by another platform") from exc
    return our_credentials(token_c, versions_url, parties)


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
) -> Peer:
    """Run the handshake as the initiator against a peer that issued ``token_a``.

    Our node must be serving while this runs: the peer calls our versions endpoint back with
    the token B issued here.

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
        api = await discover(http, versions_url)
    except DiscoveryError as exc:
        raise HandshakeError(f"cannot register: {exc.message}") from exc
    credentials_url = next(e["url"] for e in api.endpoints if e["identifier"] == "credentials")

    async with db.transaction() as conn:
        peer_id = await PeerRepository(conn).create(
            status="PENDING",
            versions_url=versions_url,
            token_out=token_a,
            token_encoding=api.token_encoding,
        )
        token_b = await TokenRepository(conn).issue(kind="C", peer_id=peer_id)
    try:
        reply = await call(
            client,
            "POST",
            credentials_url,
            token=token_a,
            encoding=api.token_encoding,
            json=our_credentials(token_b, f"{base_url}/ocpi/versions", parties),
        )
        theirs = Credentials.model_validate(reply.data)
        roles = _roles(theirs)
        async with db.transaction() as conn:
            await _check_roles(conn, roles, peer_id)
            repo = PeerRepository(conn)
            await repo.update(
                peer_id,
                status="REGISTERED",
                versions_url=theirs.url,
                token_out=theirs.token,
                version=api.version,
                version_url=api.version_url,
                endpoints=api.endpoints,
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


async def update_with_peer(db: Database, client: httpx.AsyncClient, peer: Peer) -> Peer:
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
        api = await discover(http, peer.versions_url)
    except DiscoveryError as exc:
        raise HandshakeError(f"cannot update: {exc.message}") from exc
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
            json=our_credentials(new, f"{base_url}/ocpi/versions", parties),
        )
        theirs = Credentials.model_validate(reply.data)
        roles = _roles(theirs)
        async with db.transaction() as conn:
            await _check_roles(conn, roles, peer.id)
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
                endpoints=api.endpoints,
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
