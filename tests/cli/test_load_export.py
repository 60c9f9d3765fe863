"""`ocpikit load` and `ocpikit export` through the real CLI on a real database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ocpikit.cli.main import app
from ocpikit.storage.db import Database
from ocpikit.storage.schema import objects
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
