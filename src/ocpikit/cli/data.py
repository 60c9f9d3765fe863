"""``ocpikit load`` and ``ocpikit export``: the node's objects in and out as OCPI JSON."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.cli.common import DatabaseOption, fail, run, stdout, with_database
from ocpikit.errors import OcpiError
from ocpikit.modules.kinds import KINDS, Kind
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ListQuery, ObjectStore
from ocpikit.storage.repositories import PartyRepository
from ocpikit.transport.body import describe_validation_error
from ocpikit.types import format_datetime

__all__ = ["export", "load", "read_objects"]

KindArgument = Annotated[
    str, typer.Argument(help=f"One of: {', '.join(KINDS)}.", show_default=False)
]


def _kind(name: str) -> Kind:
    if name not in KINDS:
        fail(f"unknown kind {name!r}: use one of {', '.join(KINDS)}")
    return KINDS[name]


def read_objects(text: str) -> list[Any]:
    """A JSON array, or JSON Lines (one object per non-empty line).

    Raises:
        ValueError: naming the line that is not JSON.
    """
    stripped = text.lstrip()
    if not stripped:
        return []
    if stripped.startswith("["):
        try:
            data = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"the file is not a valid JSON array: {exc}") from exc
        if not isinstance(data, list):
            raise ValueError("the file must hold a JSON array or JSON Lines")
        return data
    objects = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                objects.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON: {exc}") from exc
    return objects


def _party(spec: str) -> tuple[str, str]:
    cc, _, pid = spec.partition(":")
    if len(cc) != 2 or len(pid) != 3:
        fail(f"--party {spec!r} must be CC:PARTY_ID, e.g. NL:TNM")
    return cc.upper(), pid.upper()


def _validate(kind: Kind, raw: list[Any], party: tuple[str, str]) -> list[Any]:
    model = kind.model
    parsed = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            fail(f"object {index}: must be a JSON object; nothing was stored")
        try:
            obj = model.model_validate(item)
        except ValidationError as exc:
            fail(f"object {index}: {describe_validation_error(exc)}; nothing was stored")
        owner = (str(item.get("country_code", "")).upper(), str(item.get("party_id", "")).upper())
        if owner != party:
            fail(
                f"object {index}: country_code/party_id {owner[0]}:{owner[1]} is not "
                f"--party {party[0]}:{party[1]}; nothing was stored"
            )
        parsed.append(obj)
    return parsed


def _now_ms() -> datetime:
    """The current time in whole milliseconds (what an OCPI DateTime carries)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _refuse_older(kind: Kind, index: int, obj: Any, stored: datetime, why: str) -> NoReturn:
    key = kind.key(obj)
    fail(
        f"object {index}: {kind.name} {key.object_id!r} has last_updated "
        f"{format_datetime(obj.last_updated)}, older than the stored version "
        f"({format_datetime(stored)}){why}; nothing was stored. Give it a newer last_updated, "
        "or load with --touch to stamp such objects with the current time"
    )


async def _store_all(
    kind: Kind, conn: AsyncConnection, objects: list[Any], *, touch: bool
) -> dict[str, int]:
    """Store ``objects`` in the caller's transaction; the outcome of each, counted.

    An object identical to the stored one is left alone (``unchanged``: not pushed again).
    One older than the stored version is refused (peers would ignore it as stale and the
    node would disagree with them), or with ``touch`` stored with ``last_updated`` = now.
    CDRs are immutable: ``store_local`` refuses one that exists.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0, "touched": 0}
    store = ObjectStore(conn)
    for index, obj in enumerate(objects):
        touched = False
        if not kind.immutable:
            stored = await store.get(kind.key(obj))
            if stored is not None and stored.data == obj.to_json_bytes().decode():
                counts["unchanged"] += 1
                continue
            if stored is not None and stored.last_updated > obj.last_updated:
                if not touch:
                    _refuse_older(kind, index, obj, stored.last_updated, "")
                now = _now_ms()
                if stored.last_updated > now:
                    _refuse_older(kind, index, obj, stored.last_updated, ", which is in the future")
                obj = obj.model_copy(update={"last_updated": now})
                touched = True
        try:
            result = await kind.store_local(conn, obj)
        except OcpiError as exc:  # rolled back with the transaction
            fail(f"object {index}: {exc.message}; nothing was stored")
        if result.outcome == "stale":  # a newer version was written meanwhile (PostgreSQL)
            again = await store.get(kind.key(obj))
            _refuse_older(kind, index, obj, again.last_updated if again else obj.last_updated, "")
        counts["touched" if touched else result.outcome] += 1
    return counts


def load(
    kind: KindArgument,
    file: Annotated[str, typer.Argument(help="JSON array or JSON Lines file; - for stdin.")],
    database: DatabaseOption,
    party: Annotated[str, typer.Option(help="The local party CC:PARTY_ID that owns them.")],
    touch: Annotated[
        bool,
        typer.Option(
            "--touch",
            help="Store an object older than the stored version with last_updated = now "
            "(instead of refusing the file), so that peers take it.",
        ),
    ] = False,
) -> None:
    """Load OCPI 2.2.1 objects owned by a local party: all or nothing, pushed to peers.

    Each object keeps its last_updated. One older than the stored version of the same object
    is refused (peers would ignore it as stale), unless --touch; one identical to the stored
    version is left alone.
    """
    selected = _kind(kind)
    owner = _party(party)
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        raw = read_objects(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"cannot read {file}: {exc}")
    objects = _validate(selected, raw, owner)

    async def action(db: Database) -> dict[str, int]:
        async with db.connect() as conn:
            parties = {(p.country_code, p.party_id) for p in await PartyRepository(conn).list()}
        if owner not in parties:
            fail(f"{owner[0]}:{owner[1]} is not a local party of this node (see `ocpikit init`)")
        async with db.transaction() as conn:
            return await _store_all(selected, conn, objects, touch=touch)

    counts = run(with_database(database, action))
    detail = (
        f"{counts['created']} new, {counts['updated']} updated, {counts['unchanged']} unchanged"
    )
    if counts["touched"]:
        detail += f", {counts['touched']} older than stored: stamped with the current time"
    stdout.print(
        f"loaded {len(objects)} {selected.name} for {owner[0]}:{owner[1]} ({detail})",
        markup=False,
    )


def export(
    kind: KindArgument,
    database: DatabaseOption,
    party: Annotated[str | None, typer.Option(help="Only objects owned by CC:PARTY_ID.")] = None,
) -> None:
    """Print stored objects (ours and our peers') as JSON Lines of OCPI 2.2.1 objects."""
    selected = _kind(kind)
    owners = [_party(party)] if party else None

    async def action(db: Database) -> list[str]:
        async with db.connect() as conn:
            found = await ObjectStore(conn).all(ListQuery(module=selected.module, owners=owners))
        return [o.data for o in found]

    out = sys.stdout
    for line in run(with_database(database, action)):
        out.write(line)
        out.write("\n")
    out.flush()
