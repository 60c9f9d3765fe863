"""Operator API: registration tokens, peers (register, update, unregister) and pull sync."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from ocpikit.client.ocpi import OcpiClient
from ocpikit.client.peer import ClientOptions
from ocpikit.errors import PeerError
from ocpikit.modules.credentials.service import (
    HandshakeError,
    register_with_peer,
    unregister_peer,
    update_with_peer,
)
from ocpikit.operator.auth import Operator
from ocpikit.operator.helpers import (
    PeerOut,
    bad_gateway,
    conflict,
    get_peer,
    local_parties,
    peer_out,
    unprocessable,
)
from ocpikit.storage.repositories import PeerRepository, TokenRepository
from ocpikit.sync.pull import pull, pullable_modules
from ocpikit.sync.pull_modules import PULLABLE

__all__ = ["router"]

router = APIRouter(tags=["peers"])


class RegistrationTokenIn(BaseModel):
    label: str | None = Field(
        default=None, max_length=200, description="A note on who the token is for."
    )


class RegistrationTokenOut(BaseModel):
    token: str = Field(description="Token A: give it to the peer with our versions URL.")
    versions_url: str
    label: str | None


class RegistrationTokenInfo(BaseModel):
    id: int
    label: str | None
    created_at: str
    revoked_at: str | None = Field(description="Set once the peer used it (or it was revoked).")


class RegisterIn(BaseModel):
    versions_url: str = Field(
        pattern=r"^https?://\S+$",
        max_length=255,
        description="The peer's versions endpoint.",
        examples=["https://cpo.example.com/ocpi/versions"],
    )
    token: str = Field(min_length=1, max_length=255, description="The token A the peer issued.")


class UnregisterOut(BaseModel):
    peer: PeerOut
    warning: str | None = Field(description="Set when the peer could not be told.")


class SyncIn(BaseModel):
    module: str | None = Field(
        default=None,
        description=f"One of {', '.join(PULLABLE)}; default: every one the peer sends.",
    )
    full: bool = Field(
        default=False,
        description="Fetch everything (not only changes since the last sync); objects the "
        "peer no longer lists are then marked gone.",
    )


class SyncOut(BaseModel):
    peer: str
    reports: list[dict[str, Any]] = Field(description="One report per module pulled.")
    errors: list[dict[str, str]] = Field(description="{module, detail} of modules that failed.")


@router.post(
    "/tokens/registration",
    status_code=201,
    summary="Issue a registration token (OCPI token A) for a new peer",
)
async def issue_registration_token(
    node: Operator, body: RegistrationTokenIn | None = None
) -> RegistrationTokenOut:
    label = body.label if body else None
    async with node.db.transaction() as conn:
        token = await TokenRepository(conn).issue(kind="A", label=label)
    return RegistrationTokenOut(token=token, versions_url=node.versions_url, label=label)


@router.get("/tokens/registration", summary="The registration tokens issued (never the tokens)")
async def list_registration_tokens(node: Operator) -> list[RegistrationTokenInfo]:
    async with node.db.connect() as conn:
        rows = await TokenRepository(conn).list_registration()
    return [
        RegistrationTokenInfo(
            id=r["id"],
            label=r["label"],
            created_at=r["created_at"].isoformat(),
            revoked_at=r["revoked_at"].isoformat() if r["revoked_at"] else None,
        )
        for r in rows
    ]


@router.get("/peers", summary="The peers of this node")
async def list_peers(node: Operator, include_unregistered: bool = False) -> list[PeerOut]:
    async with node.db.connect() as conn:
        peers = await PeerRepository(conn).list(include_unregistered=include_unregistered)
    return [peer_out(p) for p in peers]


@router.get("/peers/{peer_id}", summary="One peer")
async def read_peer(peer_id: int, node: Operator) -> PeerOut:
    return peer_out(await get_peer(node.db, peer_id))


@router.post(
    "/peers",
    status_code=201,
    summary="Register with a peer (credentials handshake as the initiator)",
    responses={502: {"description": "The peer could not be reached or refused"}},
)
async def register_peer(body: RegisterIn, node: Operator) -> PeerOut:
    try:
        peer = await register_with_peer(
            node.db,
            node.http,
            versions_url=body.versions_url,
            token_a=body.token,
            versions=node.settings.versions,
        )
    except HandshakeError as exc:
        bad_gateway(str(exc))
    return peer_out(peer)


@router.post(
    "/peers/{peer_id}/update",
    summary="Refresh a peer's endpoints and rotate both tokens (PUT credentials)",
    responses={502: {"description": "The peer could not be reached or refused"}},
)
async def update_peer(peer_id: int, node: Operator) -> PeerOut:
    peer = await get_peer(node.db, peer_id)
    if peer.status != "REGISTERED" or not peer.token_out:
        conflict(f"peer {peer.name} is not registered (status {peer.status})")
    try:
        updated = await update_with_peer(node.db, node.http, peer, node.settings.versions)
    except HandshakeError as exc:
        bad_gateway(str(exc))
    return peer_out(updated)


@router.delete(
    "/peers/{peer_id}",
    summary="Unregister a peer: tell it (DELETE credentials) and revoke its token here",
)
async def delete_peer(peer_id: int, node: Operator) -> UnregisterOut:
    peer = await get_peer(node.db, peer_id)
    warning = await unregister_peer(node.db, node.http, peer)
    return UnregisterOut(peer=peer_out(await get_peer(node.db, peer_id)), warning=warning)


@router.post(
    "/peers/{peer_id}/sync",
    summary="Pull a peer's Sender lists now (incremental unless full)",
)
async def sync_peer(
    peer_id: int, node: Operator, response: Response, body: SyncIn | None = None
) -> SyncOut:
    request = body or SyncIn()
    peer = await get_peer(node.db, peer_id)
    if peer.status != "REGISTERED" or not peer.token_out:
        conflict(f"peer {peer.name} is not registered (status {peer.status})")
    offered = pullable_modules(peer)
    if request.module is not None:
        if request.module not in PULLABLE:
            unprocessable("module", f"{request.module!r} is not one of {', '.join(PULLABLE)}")
        if request.module not in offered:
            unprocessable("module", f"peer {peer.name} offers no {request.module} Sender")
        modules = [request.module]
    else:
        modules = offered
    reports: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    timeout = node.settings.peer_timeout
    options = ClientOptions(read_timeout=timeout, write_timeout=timeout)
    async with OcpiClient(peer, await local_parties(node.db), options=options) as client:
        for module in modules:
            try:
                report = await pull(node.db, peer, module, request.full, client)
            except PeerError as exc:
                errors.append({"module": module, "detail": exc.message})
                continue
            reports.append(report.to_json())
    if errors and not reports:
        response.status_code = 502
    return SyncOut(peer=peer.name, reports=reports, errors=errors)
