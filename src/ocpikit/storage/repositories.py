"""Repositories of the node's own records: configuration, local parties, peers, tokens.

Each repository works on an :class:`AsyncConnection` handed in by the caller, so that several
repositories can write in one transaction. Module objects (locations, sessions...) have their
own repositories next to their services.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Select, and_, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.storage.schema import (
    MAX_PEER_ID,
    auth_tokens,
    local_parties,
    node_config,
    peer_roles,
    peers,
)

__all__ = [
    "AuthRecord",
    "ConfigRepository",
    "LocalParty",
    "PartyRepository",
    "Peer",
    "PeerRepository",
    "PeerRole",
    "TokenRepository",
    "auth_record",
    "hash_token",
    "new_token",
    "resolve_query",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_token() -> str:
    """A fresh credentials token: 43 URL-safe characters (printable ASCII, CRED-01)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LocalParty:
    """A party (role) this node speaks for."""

    id: int
    country_code: str
    party_id: str
    role: str
    name: str
    business_details: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.country_code}:{self.party_id}"


@dataclass(frozen=True, slots=True)
class PeerRole:
    role: str
    country_code: str
    party_id: str
    business_details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Peer:
    """A platform we are connected to (or connecting to)."""

    id: int
    status: str
    versions_url: str
    version: str | None
    version_url: str | None
    token_out: str | None
    token_encoding: str
    endpoints: list[dict[str, str]]
    created_at: datetime
    updated_at: datetime
    roles: tuple[PeerRole, ...] = field(default_factory=tuple)
    # The one local party a per-party version's peer (2.1.1) is connected to.
    local_party: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        """A short human name: the first role's ``CC:PARTY`` or the peer's number."""
        if self.roles:
            return f"{self.roles[0].country_code}:{self.roles[0].party_id}"
        return f"peer-{self.id}"

    def endpoint(self, identifier: str, role: str | None = None) -> str | None:
        """The URL of one of the peer's module interfaces, if it offers it."""
        for ep in self.endpoints:
            if ep.get("identifier") == identifier and (role is None or ep.get("role") == role):
                return ep.get("url")
        return None

    def owns(self, country_code: str, party_id: str, roles: Collection[str] | None = None) -> bool:
        """Whether the peer registered this party (in one of ``roles``, when given)."""
        cc, pid = country_code.upper(), party_id.upper()
        return any(
            r.country_code == cc and r.party_id == pid and (roles is None or r.role in roles)
            for r in self.roles
        )


@dataclass(frozen=True, slots=True)
class AuthRecord:
    """What a presented token resolves to."""

    token_id: int
    token_hash: str
    kind: str
    peer: Peer | None


def resolve_query(hashes: list[str]) -> Select[Any]:
    """The token, its peer and the peer's roles, for live tokens with one of ``hashes``."""
    return (
        select(
            auth_tokens.c.id.label("token_id"),
            auth_tokens.c.token_hash,
            auth_tokens.c.kind,
            peers,
            peer_roles.c.role,
            peer_roles.c.country_code,
            peer_roles.c.party_id,
            peer_roles.c.business_details,
        )
        .select_from(
            auth_tokens.outerjoin(peers, peers.c.id == auth_tokens.c.peer_id).outerjoin(
                peer_roles, peer_roles.c.peer_id == peers.c.id
            )
        )
        .where(
            auth_tokens.c.token_hash.in_(bindparam("hashes", hashes, expanding=True)),
            auth_tokens.c.revoked_at.is_(None),
        )
        .order_by(auth_tokens.c.id, peer_roles.c.id)
    )


def auth_record(rows: Sequence[Any]) -> AuthRecord | None:
    """Build the :class:`AuthRecord` from the rows of :func:`resolve_query`."""
    if not rows:
        return None
    first = rows[0]
    peer = None
    if first.id is not None:
        roles = [
            PeerRole(r.role, r.country_code, r.party_id, orjson.loads(r.business_details))
            for r in rows
            if r.role is not None and r.token_id == first.token_id
        ]
        peer = PeerRepository._peer(first, roles)
    return AuthRecord(
        token_id=first.token_id, token_hash=first.token_hash, kind=first.kind, peer=peer
    )


class ConfigRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, key: str) -> str | None:
        return await self.conn.scalar(select(node_config.c.value).where(node_config.c.key == key))

    async def set(self, key: str, value: str) -> None:
        updated = await self.conn.execute(
            update(node_config).where(node_config.c.key == key).values(value=value)
        )
        if updated.rowcount == 0:
            await self.conn.execute(insert(node_config).values(key=key, value=value))


class PartyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def list(self) -> list[LocalParty]:
        rows = await self.conn.execute(select(local_parties).order_by(local_parties.c.id))
        return [
            LocalParty(
                id=r.id,
                country_code=r.country_code,
                party_id=r.party_id,
                role=r.role,
                name=r.name,
                business_details=orjson.loads(r.business_details),
            )
            for r in rows
        ]

    async def upsert(
        self, country_code: str, party_id: str, role: str, name: str, details: dict[str, Any]
    ) -> bool:
        """Declare a local party; returns True when something changed."""
        cc, pid = country_code.upper(), party_id.upper()
        body = orjson.dumps(details).decode()
        key = and_(
            local_parties.c.country_code == cc,
            local_parties.c.party_id == pid,
            local_parties.c.role == role,
        )
        row = (await self.conn.execute(select(local_parties).where(key))).first()
        if row is None:
            await self.conn.execute(
                insert(local_parties).values(
                    country_code=cc,
                    party_id=pid,
                    role=role,
                    name=name,
                    business_details=body,
                    created_at=utcnow(),
                )
            )
            return True
        if row.name == name and row.business_details == body:
            return False
        await self.conn.execute(
            update(local_parties).where(key).values(name=name, business_details=body)
        )
        return True


class PeerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _roles(self, peer_ids: Sequence[int]) -> dict[int, list[PeerRole]]:
        result: dict[int, list[PeerRole]] = {pid: [] for pid in peer_ids}
        if not peer_ids:
            return result
        rows = await self.conn.execute(
            select(peer_roles).where(peer_roles.c.peer_id.in_(peer_ids)).order_by(peer_roles.c.id)
        )
        for r in rows:
            result[r.peer_id].append(
                PeerRole(r.role, r.country_code, r.party_id, orjson.loads(r.business_details))
            )
        return result

    @staticmethod
    def _peer(row: Any, roles: Iterable[PeerRole]) -> Peer:
        return Peer(
            id=row.id,
            status=row.status,
            versions_url=row.versions_url,
            version=row.version,
            version_url=row.version_url,
            token_out=row.token_out,
            token_encoding=row.token_encoding,
            endpoints=orjson.loads(row.endpoints),
            created_at=row.created_at,
            updated_at=row.updated_at,
            roles=tuple(roles),
            local_party=(row.local_country_code, row.local_party_id)
            if row.local_country_code and row.local_party_id
            else None,
        )

    async def get(self, peer_id: int) -> Peer | None:
        if not 0 < peer_id <= MAX_PEER_ID:  # no such peer; the database would overflow
            return None
        row = (await self.conn.execute(select(peers).where(peers.c.id == peer_id))).first()
        if row is None:
            return None
        return self._peer(row, (await self._roles([row.id]))[row.id])

    async def list(self, *, include_unregistered: bool = False) -> list[Peer]:
        query = select(peers).order_by(peers.c.id)
        if not include_unregistered:
            query = query.where(peers.c.status != "UNREGISTERED")
        rows = list(await self.conn.execute(query))
        roles = await self._roles([r.id for r in rows])
        return [self._peer(r, roles[r.id]) for r in rows]

    async def find(self, ref: str) -> Peer | None:
        """Find a peer by number, ``CC:PARTY`` of one of its roles, or versions URL."""
        if ref.isdigit():
            return await self.get(int(ref))
        for peer in await self.list():
            if peer.versions_url == ref:
                return peer
            if ":" in ref:
                cc, _, pid = ref.partition(":")
                if peer.owns(cc, pid):
                    return peer
        return None

    async def create(
        self,
        *,
        status: str,
        versions_url: str,
        token_out: str | None,
        token_encoding: str,
        local_party: tuple[str, str] | None = None,
    ) -> int:
        now = utcnow()
        result = await self.conn.execute(
            insert(peers)
            .values(
                status=status,
                versions_url=versions_url,
                token_out=token_out,
                token_encoding=token_encoding,
                local_country_code=local_party[0] if local_party else None,
                local_party_id=local_party[1] if local_party else None,
                endpoints="[]",
                created_at=now,
                updated_at=now,
            )
            .returning(peers.c.id)
        )
        return int(result.scalar_one())

    async def update(self, peer_id: int, **values: Any) -> None:
        if "endpoints" in values:
            values["endpoints"] = orjson.dumps(values["endpoints"]).decode()
        await self.conn.execute(
            update(peers).where(peers.c.id == peer_id).values(updated_at=utcnow(), **values)
        )

    async def set_roles(self, peer_id: int, roles: Iterable[PeerRole]) -> None:
        await self.conn.execute(delete(peer_roles).where(peer_roles.c.peer_id == peer_id))
        rows = [
            {
                "peer_id": peer_id,
                "role": r.role,
                "country_code": r.country_code.upper(),
                "party_id": r.party_id.upper(),
                "business_details": orjson.dumps(r.business_details).decode(),
            }
            for r in roles
        ]
        if rows:
            await self.conn.execute(insert(peer_roles), rows)

    async def party_holders(self, country_code: str, party_id: str) -> set[int]:
        """The peers that registered this party, in any role."""
        rows = await self.conn.execute(
            select(peer_roles.c.peer_id).where(
                peer_roles.c.country_code == country_code.upper(),
                peer_roles.c.party_id == party_id.upper(),
            )
        )
        return {r.peer_id for r in rows}

    async def delete(self, peer_id: int) -> None:
        await self.conn.execute(delete(peers).where(peers.c.id == peer_id))


class TokenRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def issue(
        self, *, kind: str, peer_id: int | None = None, label: str | None = None
    ) -> str:
        """Issue a new token; only its hash is stored. Returns the token in clear."""
        token = new_token()
        await self.store(token, kind=kind, peer_id=peer_id, label=label)
        return token

    async def store(
        self, token: str, *, kind: str, peer_id: int | None = None, label: str | None = None
    ) -> int:
        result = await self.conn.execute(
            insert(auth_tokens)
            .values(
                token_hash=hash_token(token),
                kind=kind,
                peer_id=peer_id,
                label=label,
                created_at=utcnow(),
            )
            .returning(auth_tokens.c.id)
        )
        return int(result.scalar_one())

    async def resolve(self, candidates: Iterable[str]) -> AuthRecord | None:
        """The live token matching one of the candidate spellings of a presented token.

        One round trip: the token, its peer and the peer's roles come from one join, since
        this runs on every request.
        """
        hashes = [hash_token(c) for c in candidates]
        if not hashes:
            return None
        return auth_record(list(await self.conn.execute(resolve_query(hashes))))

    async def revoke(self, token_id: int) -> bool:
        """Revoke one token; False when it was already revoked (a concurrent use won)."""
        result = await self.conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.id == token_id, auth_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return result.rowcount == 1

    async def revoke_peer(self, peer_id: int, *, keep: int | None = None) -> None:
        """Revoke every live token of a peer (but ``keep``, the one just issued)."""
        query = update(auth_tokens).where(
            auth_tokens.c.peer_id == peer_id, auth_tokens.c.revoked_at.is_(None)
        )
        if keep is not None:
            query = query.where(auth_tokens.c.id != keep)
        await self.conn.execute(query.values(revoked_at=utcnow()))

    async def list_registration(self) -> list[dict[str, Any]]:
        rows = await self.conn.execute(
            select(auth_tokens).where(auth_tokens.c.kind == "A").order_by(auth_tokens.c.id)
        )
        return [
            {
                "id": r.id,
                "label": r.label,
                "created_at": r.created_at,
                "revoked_at": r.revoked_at,
            }
            for r in rows
        ]
