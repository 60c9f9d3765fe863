"""Storing pulled pages, sweeping what a full pull no longer lists, and the sync state.

Each page is written in one transaction: a crash loses at most the page in flight, and
the next sync fetches it again (the sync state only moves when a whole pull succeeded).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from ocpikit.catalog import owner_roles
from ocpikit.client.tolerant import Checked, identity_of
from ocpikit.pricing.service import check_received_cdr
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import ConfigRepository, Peer
from ocpikit.storage.schema import events, objects
from ocpikit.sync.pull_modules import PullSpec

__all__ = ["SyncReport", "last_sync", "record_sync", "store_page", "sweep"]

_SWEEP_CHUNK = 500
_WRITE_ATTEMPTS = 3


@dataclass
class SyncReport:
    """What one pull of one module from one peer did.

    Attributes:
        new / updated: objects created / changed in our store.
        unchanged: listed objects identical to what we hold.
        stale: listed objects older than what we hold (kept ours, X-07).
        invalid: objects skipped because we cannot use them (TF-57).
        foreign: objects skipped because they belong to a party the peer does not own (TF-65).
        repaired: usable objects of which an invalid part was dropped (also new/updated...).
        removed: stored objects a full pull no longer lists, marked or deleted (TF-55).
        total: the peer's last ``X-Total-Count``.
        quirks: pagination faults of the peer that were worked around.
    """

    peer_id: int
    module: str
    full: bool
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    invalid: int = 0
    foreign: int = 0
    repaired: int = 0
    removed: int = 0
    pages: int = 0
    total: int | None = None
    since: str | None = None
    seconds: float = 0.0
    quirks: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.invalid + self.foreign

    @property
    def received(self) -> int:
        return self.new + self.updated + self.unchanged + self.stale + self.skipped

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "skipped": self.skipped}

    def summary(self) -> str:
        """One line for people: ``locations: 3 new, 1 updated, ... in 0.4 s``."""
        parts = [
            f"{self.new} new",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
            f"{self.stale} stale",
            f"{self.skipped} skipped",
        ]
        if self.removed:
            parts.append(f"{self.removed} gone")
        mode = "full" if self.full else (f"since {self.since}" if self.since else "first")
        return f"{self.module}: {', '.join(parts)} ({mode}) in {self.seconds:.1f} s"


def _state_key(peer_id: int, module: str) -> str:
    return f"sync:{peer_id}:{module}"


async def last_sync(db: Database, peer_id: int, module: str) -> datetime | None:
    """The start time of the last successful pull of ``module`` from the peer."""
    async with db.connect() as conn:
        value = await ConfigRepository(conn).get(_state_key(peer_id, module))
    if not value:
        return None
    try:
        started = datetime.fromisoformat(orjson.loads(value)["started_at"])
    except (ValueError, KeyError, TypeError):
        return None
    return started if started.tzinfo else started.replace(tzinfo=UTC)


async def record_sync(db: Database, report: SyncReport, started_at: datetime) -> None:
    """Remember a successful pull and append its summary event (one transaction)."""
    state = {"started_at": started_at.isoformat(), "full": report.full}
    async with db.transaction() as conn:
        await ConfigRepository(conn).set(
            _state_key(report.peer_id, report.module), orjson.dumps(state).decode()
        )
        await EventLog(conn).append(
            "sync.completed", report.module, peer_id=report.peer_id, data=report.to_json()
        )


@dataclass(frozen=True, slots=True)
class _Held:
    row_id: int
    is_local: bool
    data: str
    last_updated: datetime


async def _existing(
    conn: Any, module: str, keys: Sequence[ObjectKey]
) -> dict[tuple[str, ...], _Held]:
    """The stored objects among ``keys``, in one query (index on module and object id)."""
    if not keys:
        return {}
    ids = sorted({k.normalised().object_id for k in keys})
    rows = await conn.execute(
        select(
            objects.c.country_code,
            objects.c.party_id,
            objects.c.object_id,
            objects.c.object_type,
            objects.c.id,
            objects.c.is_local,
            objects.c.data,
            objects.c.last_updated,
        ).where(objects.c.module == module, objects.c.object_id.in_(ids))
    )
    held: dict[tuple[str, ...], _Held] = {}
    for r in rows:
        held[(r[0], r[1], r[2], r[3])] = _Held(int(r[4]), bool(r[5]), str(r[6]), r[7])
    return held


def _tuple(key: ObjectKey) -> tuple[str, ...]:
    k = key.normalised()
    return k.country_code, k.party_id, k.object_id, k.object_type


async def store_page(
    db: Database,
    spec: PullSpec,
    peer: Peer,
    items: Sequence[Checked[Any]],
    report: SyncReport,
    seen: set[tuple[str, str, str]] | None = None,
) -> None:
    """Store the usable objects of one page owned by the peer, counting every outcome."""
    usable: list[tuple[ObjectKey, Checked[Any], Any]] = []
    for item in items:
        if seen is not None and all(identity_of(item.raw)):
            seen.add(identity_of(item.raw))
        if not item.usable:
            report.invalid += 1
            continue
        key = spec.object_key(item.raw)
        if not peer.owns(key.country_code, key.party_id, owner_roles(key.module) or None):
            report.foreign += 1
            continue
        usable.append((key, item, item.model))
    # A push of the same object may land between our read and our insert (a unique key
    # violation): the page is then written again, seeing the pushed object.
    for attempt in range(1, _WRITE_ATTEMPTS + 1):
        counts: Counter[str] = Counter()
        try:
            await _write(db, spec, peer, usable, counts)
        except IntegrityError:
            if attempt == _WRITE_ATTEMPTS:
                raise
            continue
        for name, value in counts.items():
            setattr(report, name, getattr(report, name) + value)
        return


async def _write(
    db: Database,
    spec: PullSpec,
    peer: Peer,
    usable: Sequence[tuple[ObjectKey, Checked[Any], Any]],
    counts: Counter[str],
) -> None:
    """Write one page in one transaction with three statements: inserts, updates, events.

    Row by row, a page of 1,000 locations cost seconds of round trips; batched, the pull of
    a large network is bound by the peer and by validation, not by our writes.
    """
    latest = {_tuple(key): (key, item, model) for key, item, model in usable}
    now = datetime.now(UTC)
    async with db.transaction() as conn:
        held = await _existing(conn, spec.module, [key for key, _, _ in latest.values()])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        happened: list[dict[str, Any]] = []
        new_cdrs: list[Any] = []
        for ident, (key, item, model) in latest.items():
            data = model.to_json_bytes().decode()
            existing = held.get(ident)
            if existing is not None and existing.is_local:
                counts["foreign"] += 1  # one of our own objects: a peer never overwrites it
                continue
            if existing is not None and existing.data == data:
                counts["unchanged"] += 1
                continue
            if existing is not None and existing.last_updated > model.last_updated:
                counts["stale"] += 1  # older than what we hold
                continue
            audience = spec.audience(item.raw)
            row = {
                "is_local": False,
                "peer_id": peer.id,
                "audience_country_code": audience[0].upper() if audience else None,
                "audience_party_id": audience[1].upper() if audience else None,
                "published": spec.published(item.raw),
                "last_updated": model.last_updated,
                "data": data,
                "updated_at": now,
            }
            k = key.normalised()
            if existing is None:
                inserts.append(
                    {
                        **row,
                        "module": k.module,
                        "country_code": k.country_code,
                        "party_id": k.party_id,
                        "object_id": k.object_id,
                        "object_type": k.object_type,
                        "created_at": now,
                    }
                )
                outcome = "created"
                counts["new"] += 1
                if spec.module == "cdrs":
                    new_cdrs.append(model)
            else:
                updates.append({**row, "row_id": existing.row_id})
                outcome = "updated"
                counts["updated"] += 1
            counts["repaired"] += item.repaired
            extra = {"type": k.object_type} if k.object_type else {}
            happened.append(
                {
                    "kind": f"{spec.singular}.{outcome}",
                    "module": spec.module,
                    "country_code": k.country_code,
                    "party_id": k.party_id,
                    "object_id": k.object_id,
                    "peer_id": peer.id,
                    "data": orjson.dumps({"source": "pull", **extra}).decode(),
                    "created_at": now,
                }
            )
        if inserts:
            await conn.execute(insert(objects), inserts)
        if updates:
            # executemany: the keys named like columns become the SET clause.
            await conn.execute(update(objects).where(objects.c.id == bindparam("row_id")), updates)
        if happened:
            await conn.execute(insert(events), happened)
        # A CDR pulled is checked like a CDR pushed: re-priced with the tariffs we hold.
        for cdr in new_cdrs:
            await check_received_cdr(conn, cdr, peer.id)


async def sweep(db: Database, spec: PullSpec, peer: Peer, seen: set[tuple[str, str, str]]) -> int:
    """After a full pull: mark or delete this peer's objects it no longer lists (TF-55)."""
    if spec.gone == "keep":
        return 0
    done, after = 0, 0
    while True:
        async with db.transaction() as conn:
            rows = list(
                await conn.execute(
                    select(objects)
                    .where(
                        objects.c.module == spec.module,
                        objects.c.peer_id == peer.id,
                        objects.c.is_local.is_(False),
                        objects.c.id > after,
                    )
                    .order_by(objects.c.id)
                    .limit(_SWEEP_CHUNK)
                )
            )
            if not rows:
                return done
            after = rows[-1].id
            for row in rows:
                if (row.country_code, row.party_id, row.object_id) in seen:
                    continue
                if await _gone(conn, spec, row):
                    done += 1
                    await EventLog(conn).append(
                        spec.gone_event,
                        spec.module,
                        country_code=row.country_code,
                        party_id=row.party_id,
                        object_id=row.object_id,
                        peer_id=peer.id,
                        data={"source": "pull"},
                    )


async def _gone(conn: Any, spec: PullSpec, row: Any) -> bool:
    if spec.gone == "delete":
        key = ObjectKey(spec.module, row.country_code, row.party_id, row.object_id, row.object_type)
        return await ObjectStore(conn).delete(key)
    assert spec.mark is not None
    marked = spec.mark(orjson.loads(row.data))
    if marked is None:
        return False
    await conn.execute(
        update(objects)
        .where(objects.c.id == row.id)
        .values(data=orjson.dumps(marked).decode(), updated_at=datetime.now(UTC))
    )
    return True
