"""Pieces the operator API areas share: errors naming a field, peers, local parties."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from fastapi import HTTPException
from pydantic import BaseModel, Field

from ocpikit.errors import InvalidParameters, PeerError
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import LocalParty, PartyRepository, Peer, PeerRepository

__all__ = [
    "PeerOut",
    "RoleOut",
    "bad_gateway",
    "conflict",
    "find_peer",
    "get_peer",
    "invalid_as_422",
    "local_parties",
    "not_found",
    "peer_failed",
    "peer_out",
    "require_local_party",
    "unprocessable",
]


def unprocessable(field: str, message: str) -> NoReturn:
    """422 whose ``detail`` starts with the field at fault: ``"field: message"``."""
    raise HTTPException(422, f"{field}: {message}")


def not_found(message: str) -> NoReturn:
    raise HTTPException(404, message)


def conflict(message: str) -> NoReturn:
    raise HTTPException(409, message)


def bad_gateway(message: str) -> NoReturn:
    """502: a peer failed or refused; ``detail`` says what it answered."""
    raise HTTPException(502, message)


def peer_failed(exc: PeerError) -> NoReturn:
    """422 when the peer refused what we sent (OCPI 2xxx), else 502 (unreachable, 3xxx...)."""
    if exc.status_code is not None and 2000 <= exc.status_code < 3000:
        raise HTTPException(422, f"the peer refused the request: {exc.message}")
    bad_gateway(f"the peer failed: {exc.message}")


@contextmanager
def invalid_as_422() -> Iterator[None]:
    """Turn the services' 2001 (InvalidParameters) into a 422 with the same message."""
    try:
        yield
    except InvalidParameters as exc:
        if exc.http_status == 404:
            raise
        raise HTTPException(422, exc.message) from exc


class RoleOut(BaseModel):
    role: str
    country_code: str
    party_id: str


class PeerOut(BaseModel):
    """A platform this node is connected to (or was)."""

    id: int
    name: str = Field(description="CC:PARTY_ID of its first role, or peer-<id>.")
    status: str = Field(description="PENDING, REGISTERED or UNREGISTERED.")
    version: str | None
    versions_url: str
    roles: list[RoleOut]
    endpoints: list[dict[str, str]]
    created_at: str
    updated_at: str


def peer_out(peer: Peer) -> PeerOut:
    return PeerOut(
        id=peer.id,
        name=peer.name,
        status=peer.status,
        version=peer.version,
        versions_url=peer.versions_url,
        roles=[
            RoleOut(role=r.role, country_code=r.country_code, party_id=r.party_id)
            for r in peer.roles
        ],
        endpoints=peer.endpoints,
        created_at=peer.created_at.isoformat(),
        updated_at=peer.updated_at.isoformat(),
    )


async def get_peer(db: Database, peer_id: int) -> Peer:
    """The peer with this number (any status).

    Raises:
        HTTPException: 404 when there is none.
    """
    async with db.connect() as conn:
        peer = await PeerRepository(conn).get(peer_id)
    if peer is None:
        not_found(f"No peer {peer_id}: see GET /api/peers")
    return peer


async def find_peer(db: Database, ref: str | int, *, field: str = "peer") -> Peer:
    """A registered peer by number, ``CC:PARTY_ID`` of one of its roles, or versions URL.

    Raises:
        HTTPException: 404 for an unknown peer, 409 for one that is not registered.
    """
    async with db.connect() as conn:
        peer = await PeerRepository(conn).find(str(ref))
    if peer is None:
        not_found(f"{field}: no peer {ref!r}; see GET /api/peers")
    if peer.status != "REGISTERED" or not peer.token_out:
        conflict(f"{field}: peer {peer.name} is not registered (status {peer.status})")
    return peer


async def local_parties(db: Database) -> list[LocalParty]:
    async with db.connect() as conn:
        return await PartyRepository(conn).list()


async def require_local_party(
    db: Database, country_code: str, party_id: str, roles: frozenset[str]
) -> LocalParty:
    """The local party ``country_code``/``party_id`` with one of ``roles``.

    Raises:
        HTTPException: 422 naming ``country_code/party_id`` when it is not ours.
    """
    cc, pid = country_code.upper(), party_id.upper()
    for party in await local_parties(db):
        if party.country_code == cc and party.party_id == pid and party.role in roles:
            return party
    wanted = " or ".join(sorted(roles))
    unprocessable(
        "country_code/party_id",
        f"{cc}/{pid} is not a local {wanted} party of this node (see GET /api/parties)",
    )
