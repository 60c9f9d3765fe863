"""The durable outbox: changes to our own objects, queued for every peer that receives them.

``publish`` is called by a module service in the same transaction as the change it describes,
so a change is pushed if and only if it was stored (nothing lost, nothing invented). It fans
out at once to every registered peer whose version details list a RECEIVER endpoint for the
module (and, for Sessions and CDRs, only to the peer that owns the token's party). The
delivery worker (``ocpikit.sync.push``) sends each peer's messages of one object in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.catalog import allowed_callers, owner_roles
from ocpikit.storage.objects import ObjectKey
from ocpikit.storage.repositories import Peer, PeerRepository
from ocpikit.storage.schema import outbox

__all__ = ["Outbox", "Push"]


@dataclass(frozen=True, slots=True)
class Push:
    """One change to push.

    Attributes:
        key: the object (its owner party is the OCPI-from party).
        method: PUT, PATCH, POST or DELETE.
        path: appended to the peer's Receiver endpoint URL (e.g. ``/NL/CPO/LOC1``; ``""`` for
            a CDR POST).
        body: the JSON body (None for DELETE).
        audience: only peers that own this (country_code, party_id) receive it.
    """

    key: ObjectKey
    method: str
    path: str
    body: Any
    audience: tuple[str, str] | None = None


def _target_party(
    peer: Peer, module: str, audience: tuple[str, str] | None
) -> tuple[str, str] | None:
    """The peer's party that receives this change, or None when it has no such party.

    The audience (a Session's or CDR's eMSP, registered as an eMSP), else the peer's first
    party in a role that receives the module (``ocpikit/catalog.py``).
    """
    if audience is not None:
        return audience if peer.owns(*audience, owner_roles("tokens")) else None
    receivers = allowed_callers(module, "SENDER")
    for role in peer.roles:
        if receivers is None or role.role in receivers:
            return role.country_code, role.party_id
    return None


class Outbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def publish(self, push: Push) -> int:
        """Queue a change for every peer that receives this module; returns how many."""
        peers = await PeerRepository(self.conn).list()
        now = datetime.now(UTC)
        body = None if push.body is None else _text(push.body)
        k = push.key.normalised()
        ref = f"{k.module}:{k.country_code}:{k.party_id}:{k.object_id}:{k.object_type}"
        rows = []
        for peer in peers:
            if peer.status != "REGISTERED" or peer.endpoint(k.module, "RECEIVER") is None:
                continue
            if peer.local_party and peer.local_party != (k.country_code, k.party_id):
                continue  # a 2.1.1 peer is connected to one of our parties only
            target = _target_party(peer, k.module, push.audience)
            if target is None:
                continue
            rows.append(
                {
                    "peer_id": peer.id,
                    "module": k.module,
                    "object_ref": ref[:160],
                    "method": push.method,
                    "path": push.path,
                    "body": body,
                    "from_country_code": k.country_code,
                    "from_party_id": k.party_id,
                    "to_country_code": target[0],
                    "to_party_id": target[1],
                    "status": "PENDING",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
        if rows:
            await self.conn.execute(insert(outbox), rows)
        return len(rows)


def _text(body: Any) -> str:
    if isinstance(body, bytes):
        return body.decode()
    if isinstance(body, str):
        return body
    return orjson.dumps(body).decode()
