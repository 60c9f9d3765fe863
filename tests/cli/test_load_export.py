"""`ocpikit load` and `ocpikit export` through the real CLI on a real database."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ocpikit.cli.main import app
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import PeerRepository, PeerRole
from ocpikit.storage.schema import objects, outbox
from ocpikit.types import parse_datetime
from tests import factories
from tests.support import Databases, initialise

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    dbs = Databases(tmp_path)

    async def make() -> str:
        url = await dbs.new()
        await initialise(url, "http://127.0.0.1:1", [("NL", "CPO", "CPO")])
        return url

    yield asyncio.run(make())
    asyncio.run(dbs.drop_all())


def count(url: str) -> int:
    async def go() -> int:
        db = Database.unpooled(url)
        async with db.connect() as conn:
            n = await conn.scalar(select(func.count()).select_from(objects))
        await db.close()
        return int(n or 0)

    return asyncio.run(go())


def test_load_then_export_round_trips_and_keeps_last_updated(db_url: str, tmp_path: Path):
    locs = [
        factories.location(f"L{i}", last_updated=f"2025-0{i + 1}-01T12:00:00Z") for i in range(3)
    ]
    file = tmp_path / "locs.json"
    file.write_text(json.dumps(locs))
    result = runner.invoke(
        app, ["load", "locations", str(file), "--database", db_url, "--party", "NL:CPO"]
    )
    assert result.exit_code == 0, result.output
    assert "loaded 3 locations" in result.output
    result = runner.invoke(app, ["export", "locations", "--database", db_url])
    assert result.exit_code == 0
    exported = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [e["id"] for e in exported] == ["L0", "L1", "L2"]
    assert [e["last_updated"] for e in exported] == [loc["last_updated"] for loc in locs]
    assert exported[0] == locs[0]


def test_load_accepts_json_lines_on_stdin(db_url: str):
    lines = "\n".join(json.dumps(factories.location(f"L{i}")) for i in range(2)) + "\n"
    result = runner.invoke(
        app, ["load", "locations", "-", "--database", db_url, "--party", "NL:CPO"], input=lines
    )
    assert result.exit_code == 0, result.output
    assert count(db_url) == 2


def test_one_invalid_object_rejects_the_file_naming_index_and_field(db_url: str, tmp_path: Path):
    locs = [factories.location("L0"), factories.location("L1")]
    locs[1]["evses"][0]["status"] = "EXPLODED"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(locs))
    result = runner.invoke(
        app, ["load", "locations", str(file), "--database", db_url, "--party", "NL:CPO"]
    )
    assert result.exit_code != 0
    assert "object 1" in result.stderr and "evses.0.status" in result.stderr
    assert count(db_url) == 0


def test_objects_of_another_party_are_refused(db_url: str, tmp_path: Path):
    file = tmp_path / "other.json"
    file.write_text(json.dumps([factories.location("L0", cc="BE", pid="XYZ")]))
    result = runner.invoke(
        app, ["load", "locations", str(file), "--database", db_url, "--party", "NL:CPO"]
    )
    assert result.exit_code != 0
    assert "object 0" in result.stderr
    assert count(db_url) == 0


def test_party_must_be_local(db_url: str, tmp_path: Path):
    file = tmp_path / "l.json"
    file.write_text(json.dumps([factories.location("L0", cc="BE", pid="XYZ")]))
    result = runner.invoke(
        app, ["load", "locations", str(file), "--database", db_url, "--party", "BE:XYZ"]
    )
    assert result.exit_code != 0
    assert "not a local party" in result.stderr


@pytest.mark.parametrize("content", ["[{", '{"a": 1}\nnot json\n'])
def test_unreadable_files_fail_clearly(db_url: str, tmp_path: Path, content: str):
    file = tmp_path / "x.json"
    file.write_text(content)
    result = runner.invoke(
        app, ["load", "locations", str(file), "--database", db_url, "--party", "NL:CPO"]
    )
    assert result.exit_code != 0
    assert result.stderr.startswith("error:")


def test_unknown_kind_fails(db_url: str):
    result = runner.invoke(app, ["export", "widgets", "--database", db_url])
    assert result.exit_code != 0
    assert "unknown kind" in result.stderr


@pytest.mark.parametrize(
    ("kind", "make", "party"),
    [
        ("tariffs", lambda i: factories.tariff(f"T{i}"), "NL:CPO"),
        ("sessions", lambda i: factories.session(f"S{i}"), "NL:CPO"),
        ("cdrs", lambda i: factories.cdr(f"C{i}"), "NL:CPO"),
        ("tokens", lambda i: factories.token(f"U{i}", cc="NL", pid="CPO"), "NL:CPO"),
    ],
)
def test_every_kind_loads_and_exports(db_url: str, tmp_path: Path, kind: str, make, party: str):
    objs = [make(i) for i in range(2)]
    file = tmp_path / f"{kind}.json"
    file.write_text(json.dumps(objs))
    result = runner.invoke(app, ["load", kind, str(file), "--database", db_url, "--party", party])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", kind, "--database", db_url, "--party", party])
    exported = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(exported) == 2
    assert [e["last_updated"] for e in exported] == [o["last_updated"] for o in objs]


def test_loading_a_cdr_twice_is_refused_whole(db_url: str, tmp_path: Path):
    file = tmp_path / "cdrs.json"
    file.write_text(json.dumps([factories.cdr("C1")]))
    args = ["load", "cdrs", str(file), "--database", db_url, "--party", "NL:CPO"]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert "immutable" in result.stderr


# ---- an object older than the stored version (issue 8, item 4) ----------------------------


async def _add_receiving_peer(url: str) -> None:
    """A registered eMSP peer with a Locations Receiver: loads queue pushes for it."""
    db = Database.unpooled(url)
    async with db.transaction() as conn:
        repo = PeerRepository(conn)
        peer_id = await repo.create(
            status="REGISTERED",
            versions_url="http://127.0.0.1:9/versions",
            token_out="unused",
            token_encoding="base64",
        )
        endpoint = {"identifier": "locations", "role": "RECEIVER", "url": "http://127.0.0.1:9/l"}
        await repo.update(peer_id, version="2.2.1", endpoints=[endpoint])
        await repo.set_roles(peer_id, [PeerRole("EMSP", "DE", "MSP", {"name": "MSP"})])
    await db.close()


def outbox_rows(url: str) -> int:
    async def go() -> int:
        db = Database.unpooled(url)
        async with db.connect() as conn:
            n = await conn.scalar(select(func.count()).select_from(outbox))
        await db.close()
        return int(n or 0)

    return asyncio.run(go())


def load_file(url: str, tmp_path: Path, kind: str, objs: list, *extra: str):
    file = tmp_path / f"{kind}-{uuid.uuid4().hex[:6]}.json"
    file.write_text(json.dumps(objs))
    return runner.invoke(
        app, ["load", kind, str(file), "--database", url, "--party", "NL:CPO", *extra]
    )


def exported(url: str, kind: str = "locations") -> dict[str, dict]:
    result = runner.invoke(app, ["export", kind, "--database", url])
    assert result.exit_code == 0, result.output
    return {o.get("id", o.get("uid")): o for o in map(orjson.loads, result.stdout.splitlines())}


def test_an_object_older_than_the_stored_one_refuses_the_file(db_url: str, tmp_path: Path):
    asyncio.run(_add_receiving_peer(db_url))
    newer = factories.location("L1", last_updated="2026-03-01T00:00:00Z")
    assert load_file(db_url, tmp_path, "locations", [newer]).exit_code == 0
    assert outbox_rows(db_url) == 1

    older = factories.location("L1", last_updated="2026-02-01T00:00:00Z", name="Old name")
    fresh = factories.location("L2", last_updated="2026-01-01T00:00:00Z")
    result = load_file(db_url, tmp_path, "locations", [fresh, older])
    assert result.exit_code != 0
    message = result.stderr.replace("\n", " ")
    assert message.startswith("error: object 1: locations 'L1'")
    assert "2026-02-01T00:00:00Z" in message and "2026-03-01T00:00:00Z" in message
    assert "nothing was stored" in message and "--touch" in message
    assert exported(db_url) == {"L1": newer}  # all or nothing: L2 was not stored either
    assert outbox_rows(db_url) == 1


def test_touch_stamps_older_objects_with_the_current_time(db_url: str, tmp_path: Path):
    asyncio.run(_add_receiving_peer(db_url))
    newer = factories.location("L1", last_updated="2026-03-01T00:00:00Z")
    assert load_file(db_url, tmp_path, "locations", [newer]).exit_code == 0
    older = factories.location("L1", last_updated="2026-02-01T00:00:00Z", name="Old name")
    fresh = factories.location("L2", last_updated="2026-01-01T00:00:00Z")
    before = datetime.now(UTC).replace(microsecond=0)
    result = load_file(db_url, tmp_path, "locations", [older, fresh], "--touch")
    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated, 0 unchanged, 1 older than stored" in result.stdout
    now = exported(db_url)
    assert now["L1"]["name"] == "Old name"
    assert parse_datetime(now["L1"]["last_updated"]) >= before
    assert now["L2"] == fresh  # not older than anything stored: kept as given
    assert outbox_rows(db_url) == 3


def test_an_identical_object_is_left_alone_and_not_pushed_again(db_url: str, tmp_path: Path):
    asyncio.run(_add_receiving_peer(db_url))
    locs = [factories.location(f"L{i}", last_updated="2026-03-01T00:00:00Z") for i in range(2)]
    assert load_file(db_url, tmp_path, "locations", locs).exit_code == 0
    assert outbox_rows(db_url) == 2
    changed = factories.location("L1", last_updated="2026-03-01T00:00:00Z", name="Renamed")
    result = load_file(db_url, tmp_path, "locations", [locs[0], changed])
    assert result.exit_code == 0, result.output
    assert "(0 new, 1 updated, 1 unchanged)" in result.stdout
    assert outbox_rows(db_url) == 3  # only the changed one (same last_updated: peers take it)
    assert exported(db_url)["L1"]["name"] == "Renamed"


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("tariffs", lambda stamp: factories.tariff("T1", last_updated=stamp)),
        ("sessions", lambda stamp: factories.session("S1", last_updated=stamp)),
        ("tokens", lambda stamp: factories.token("U1", cc="NL", pid="CPO", last_updated=stamp)),
    ],
)
def test_every_replaceable_kind_refuses_older_objects(db_url: str, tmp_path: Path, kind: str, make):
    assert load_file(db_url, tmp_path, kind, [make("2026-03-01T00:00:00Z")]).exit_code == 0
    result = load_file(db_url, tmp_path, kind, [make("2026-02-01T00:00:00Z")])
    assert result.exit_code != 0 and "older than the stored version" in result.stderr
    result = load_file(db_url, tmp_path, kind, [make("2026-02-01T00:00:00Z")], "--touch")
    assert result.exit_code == 0, result.output
    [stored] = exported(db_url, kind).values()
    assert parse_datetime(stored["last_updated"]) > parse_datetime("2026-03-01T00:00:00Z")
