"""The object store: every OCPI object the node holds, one row each, JSON ready for the wire.

A module's service decides *what* may be read or written (party isolation, visibility); this
repository only stores, finds and pages. Objects are kept as their OCPI JSON text so that a
list page is assembled from stored bytes without parsing or validating them again (the hot
path of every OCPI platform is serving pages of locations).

Keys are case-insensitive (``CiString``, TY-01): country code, party id and object id are
upper-cased in the key columns, while ``data`` keeps the sender's spelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from ocpikit.storage.schema import UtcDateTime, objects

__all__ = [
    "ListQuery",
    "ObjectKey",
    "ObjectStore",
    "StoredObject",
    "WriteResult",
    "count_query",
    "ids_query",
    "page_query",
    "seek_query",
]


@dataclass(frozen=True, slots=True)
class ObjectKey:
    """Identity of an OCPI object: module, owner party and id (and Token type)."""

    module: str
    country_code: str
    party_id: str
    object_id: str
    object_type: str = ""

    @property
    def party(self) -> tuple[str, str]:
        """The owner party (``country_code``, ``party_id``)."""
        return self.country_code, self.party_id

    def normalised(self) -> ObjectKey:
        return ObjectKey(
            self.module,
            self.country_code.upper(),
            self.party_id.upper(),
            self.object_id.upper(),
            self.object_type,
        )


@dataclass(frozen=True, slots=True)
class StoredObject:
    row_id: int
    key: ObjectKey
    is_local: bool
    peer_id: int | None
    last_updated: datetime
    data: str

    def parsed(self) -> dict[str, Any]:
        result: dict[str, Any] = orjson.loads(self.data)
        return result


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write did.

    ``created``, ``updated``, ``stale`` (older than what we hold, nothing written) or
    ``exists`` (``create_only`` found the object already there, nothing written).
    """

    outcome: str
    row_id: int

    @property
    def created(self) -> bool:
        return self.outcome == "created"


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which objects a list page is drawn from.

    Attributes:
        module: the ModuleID.
        is_local: our own objects (Sender interfaces) or received ones.
        peer_id: only objects received from this peer.
        audience: only objects whose owner or audience party is one of these (cc, pid).
        published_only: leave out Locations with ``publish=false`` (the ``published`` column).
            Not for OCPI peers, who get every Location: for what is shown to drivers.
        date_from: ``last_updated >= date_from`` (inclusive, TF-50).
        date_to: ``last_updated < date_to`` (exclusive, TF-50).
        owners: only objects owned by one of these (cc, pid).
    """

    module: str
    is_local: bool | None = None
    peer_id: int | None = None
    audience: Sequence[tuple[str, str]] | None = None
    owners: Sequence[tuple[str, str]] | None = None
    published_only: bool = False
    date_from: datetime | None = None
    date_to: datetime | None = None


_TS = UtcDateTime()


def _key_clause(key: ObjectKey) -> ColumnElement[bool]:
    k = key.normalised()
    return and_(
        objects.c.module == k.module,
        objects.c.country_code == k.country_code,
        objects.c.party_id == k.party_id,
        objects.c.object_id == k.object_id,
        objects.c.object_type == k.object_type,
    )


def _party_clause(
    parties: Sequence[tuple[str, str]], cc_col: Any, pid_col: Any
) -> ColumnElement[bool]:
    return or_(*(and_(cc_col == cc.upper(), pid_col == pid.upper()) for cc, pid in parties))


def _filters(query: ListQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [objects.c.module == query.module]
    if query.is_local is not None:
        where.append(objects.c.is_local == query.is_local)
    if query.peer_id is not None:
        where.append(objects.c.peer_id == query.peer_id)
    if query.published_only:
        where.append(objects.c.published.is_(True))
    if query.owners is not None:
        where.append(_party_clause(query.owners, objects.c.country_code, objects.c.party_id))
    if query.audience is not None:
        where.append(
            _party_clause(
                query.audience, objects.c.audience_country_code, objects.c.audience_party_id
            )
        )
    if query.date_from is not None:
        where.append(objects.c.last_updated >= bindparam("date_from", query.date_from, _TS))
    if query.date_to is not None:
        where.append(objects.c.last_updated < bindparam("date_to", query.date_to, _TS))
    return where


def count_query(query: ListQuery) -> Select[Any]:
    return select(func.count()).select_from(objects).where(*_filters(query))


def page_query(query: ListQuery, offset: int, limit: int) -> Select[Any]:
    """One page in creation order; ``offset`` and ``limit`` are named parameters."""
    return (
        select(objects.c.data)
        .where(*_filters(query))
        .order_by(objects.c.id)
        .offset(bindparam("offset", offset, Integer))
        .limit(bindparam("limit", limit, Integer))
    )


def ids_query(query: ListQuery) -> Select[Any]:
    """The row ids of every matching object, in page order (to seek instead of skipping)."""
    return select(objects.c.id).where(*_filters(query)).order_by(objects.c.id)


def seek_query(query: ListQuery, limit: int) -> Select[Any]:
    """One page starting at row id ``first_id`` (named parameter), in page order."""
    return (
        select(objects.c.data)
        .where(*_filters(query), objects.c.id >= bindparam("first_id", 0, Integer))
        .order_by(objects.c.id)
        .limit(bindparam("limit", limit, Integer))
    )


class ObjectStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    @staticmethod
    def _stored(row: Row[Any]) -> StoredObject:
        return StoredObject(
            row_id=row.id,
            key=ObjectKey(
                row.module, row.country_code, row.party_id, row.object_id, row.object_type
            ),
            is_local=row.is_local,
            peer_id=row.peer_id,
            last_updated=row.last_updated,
            data=row.data,
        )

    async def get(self, key: ObjectKey) -> StoredObject | None:
        row = (await self.conn.execute(select(objects).where(_key_clause(key)))).first()
        return self._stored(row) if row is not None else None

    async def find(
        self,
        module: str,
        object_id: str,
        *,
        is_local: bool | None = True,
        object_type: str | None = None,
    ) -> list[StoredObject]:
        """Objects of a module by id alone (Sender GET URLs carry no party)."""
        query = select(objects).where(
            objects.c.module == module, objects.c.object_id == object_id.upper()
        )
        if is_local is not None:
            query = query.where(objects.c.is_local == is_local)
        if object_type is not None:
            query = query.where(objects.c.object_type == object_type)
        return [self._stored(r) for r in await self.conn.execute(query.order_by(objects.c.id))]

    async def put(
        self,
        key: ObjectKey,
        data: bytes | str,
        *,
        last_updated: datetime,
        is_local: bool,
        peer_id: int | None = None,
        audience: tuple[str, str] | None = None,
        published: bool = True,
        allow_older: bool = False,
        create_only: bool = False,
    ) -> WriteResult:
        """Create or replace an object.

        An update whose ``last_updated`` is older than the stored one does not overwrite it
        (X-07: out-of-order updates); it reports ``stale``. ``allow_older`` lifts that for
        the owner's own corrections. With ``create_only`` an existing object is never
        changed and the outcome is ``exists`` (immutable objects: CDRs).

        Two writers creating the same object at once (a push crossing a pull, a retried
        POST) do not fail: the insert runs in a savepoint, and the loser of the race
        continues as an update of the winner's row.
        """
        text = data.decode() if isinstance(data, bytes) else data
        now = datetime.now(UTC)
        values = {
            "is_local": is_local,
            "peer_id": peer_id,
            "audience_country_code": audience[0].upper() if audience else None,
            "audience_party_id": audience[1].upper() if audience else None,
            "published": published,
            "last_updated": last_updated,
            "data": text,
            "updated_at": now,
        }
        existing = (
            await self.conn.execute(
                select(objects.c.id, objects.c.last_updated).where(_key_clause(key))
            )
        ).first()
        if existing is None:
            k = key.normalised()
            stmt = (
                insert(objects)
                .values(
                    module=k.module,
                    country_code=k.country_code,
                    party_id=k.party_id,
                    object_id=k.object_id,
                    object_type=k.object_type,
                    created_at=now,
                    **values,
                )
                .returning(objects.c.id)
            )
            if self.conn.dialect.name == "sqlite":
                # A SQLite write transaction holds the database's write lock from its first
                # statement (BEGIN IMMEDIATE): nobody can insert between our read and ours.
                return WriteResult("created", int((await self.conn.execute(stmt)).scalar_one()))
            try:
                async with self.conn.begin_nested():
                    result = await self.conn.execute(stmt)
                    return WriteResult("created", int(result.scalar_one()))
            except IntegrityError:
                existing = (
                    await self.conn.execute(
                        select(objects.c.id, objects.c.last_updated).where(_key_clause(key))
                    )
                ).first()
                if existing is None:
                    raise
        if create_only:
            return WriteResult("exists", existing.id)
        if not allow_older and existing.last_updated > last_updated:
            return WriteResult("stale", existing.id)
        await self.conn.execute(update(objects).where(objects.c.id == existing.id).values(**values))
        return WriteResult("updated", existing.id)

    async def delete(self, key: ObjectKey) -> bool:
        result = await self.conn.execute(delete(objects).where(_key_clause(key)))
        return result.rowcount > 0

    async def count(self, query: ListQuery) -> int:
        return int(await self.conn.scalar(count_query(query)) or 0)

    async def page(self, query: ListQuery, *, offset: int, limit: int) -> list[str]:
        """The JSON texts of one page, oldest created first (a stable order, TF-53)."""
        if limit <= 0:
            return []
        return [r[0] for r in await self.conn.execute(page_query(query, offset, limit))]

    async def all(self, query: ListQuery) -> list[StoredObject]:
        """Every matching object (for exports and re-pricing), in creation order."""
        rows = await self.conn.execute(
            select(objects).where(*_filters(query)).order_by(objects.c.id)
        )
        return [self._stored(r) for r in rows]
