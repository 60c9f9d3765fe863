"""Authentication of peers, as FastAPI dependencies.

- :func:`registration_caller`: versions, version details and credentials accept the
  registration token A (CRED-20), a peer's token during our own handshake, and a registered
  peer's token.
- :func:`peer_caller`: every other module accepts only a registered peer's token; token A
  there is a 401 (TF-06).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ocpikit.errors import AuthError, Forbidden
from ocpikit.node import Node
from ocpikit.storage.repositories import Peer, TokenRepository, hash_token
from ocpikit.transport.auth import token_candidates

__all__ = [
    "Caller",
    "PeerCaller",
    "RegistrationCaller",
    "peer_caller",
    "registration_caller",
    "role_guard",
]

_WWW = {"WWW-Authenticate": "Token"}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a registration token (``peer`` None) or a peer's token."""

    token_id: int
    kind: str
    token: str
    peer: Peer | None

    @property
    def is_registration(self) -> bool:
        return self.kind == "A"

    @property
    def registered(self) -> bool:
        return self.peer is not None and self.peer.status == "REGISTERED"


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


async def registration_caller(request: Request) -> Caller:
    """Any live token: registration (A), pending handshake, or registered peer.

    Raises:
        AuthError: 401 when the header is missing or the token is unknown or revoked.
    """
    header = request.headers.get("authorization")
    candidates = token_candidates(header)
    if not candidates:
        if header:
            raise AuthError("Authorization header must be 'Token <token>'", headers=_WWW)
        raise AuthError("Authorization header is missing", headers=_WWW)
    node = get_node(request)
    if node.db.reader is not None:
        record = node.db.reader.resolve([hash_token(c) for c in candidates])
    else:
        async with node.db.connect() as conn:
            record = await TokenRepository(conn).resolve(candidates)
    if record is None or (record.peer is not None and record.peer.status == "UNREGISTERED"):
        raise AuthError("Unknown or revoked token", headers=_WWW)
    presented = next(c for c in candidates if hash_token(c) == record.token_hash)
    return Caller(token_id=record.token_id, kind=record.kind, token=presented, peer=record.peer)


async def peer_caller(
    caller: Annotated[Caller, Depends(registration_caller)],
) -> Caller:
    """A registered peer only.

    Raises:
        AuthError: 401 for token A or a peer whose registration is not complete (TF-06).
    """
    if not caller.registered:
        raise AuthError(
            "This token is only valid for versions and credentials until registration",
            headers=_WWW,
        )
    return caller


def role_guard(module: str, roles: frozenset[str]) -> Callable[[Caller], Awaitable[None]]:
    """A dependency refusing a registered peer none of whose roles is in ``roles`` (403)."""

    async def guard(caller: Annotated[Caller, Depends(peer_caller)]) -> None:
        assert caller.peer is not None
        if not any(r.role in roles for r in caller.peer.roles):
            mine = ", ".join(sorted({r.role for r in caller.peer.roles})) or "none"
            raise Forbidden(
                f"This {module} interface is for {', '.join(sorted(roles))}; "
                f"your registered roles: {mine}"
            )

    return guard


RegistrationCaller = Annotated[Caller, Depends(registration_caller)]
PeerCaller = Annotated[Caller, Depends(peer_caller)]
