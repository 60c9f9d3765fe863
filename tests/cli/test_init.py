"""`ocpikit init --party`: the party name must be an OCPI string(100) (issue 8, item 6)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocpikit.cli.main import app
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import LocalParty, PartyRepository
from tests.support import Databases

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    dbs = Databases(tmp_path)
    yield asyncio.run(dbs.new())
    asyncio.run(dbs.drop_all())


def parties(url: str) -> list[LocalParty]:
    async def go() -> list[LocalParty]:
        db = Database.unpooled(url)
        try:
            async with db.connect() as conn:
                return await PartyRepository(conn).list()
        finally:
            await db.close()

    return asyncio.run(go())


def init(url: str, party: str) -> object:
    return runner.invoke(
        app, ["init", "--database", url, "--base-url", "http://127.0.0.1:1", "--party", party]
    )


@pytest.mark.parametrize(
    "name", ["Tab\there", "Line\nbreak", "Carriage\rreturn", "NUL\x00", "C1\x85", "x" * 101, "  "]
)
def test_a_name_that_is_not_printable_text_of_100_characters_is_refused(db_url: str, name: str):
    result = init(db_url, f"NL:CPO:CPO:{name}")
    assert result.exit_code == 1
    [sentence] = result.stderr.strip().splitlines()[-1:]
    assert sentence.startswith("error: --party")
    assert "printable text" in sentence and "control characters" in sentence
    assert parties(db_url) == []


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("NL:CPO:CPO:Laadpaal Beheer B.V.", "Laadpaal Beheer B.V."),
        ("NL:CPO:CPO:Élec – Zürich ⚡", "Élec – Zürich ⚡"),
        ("NL:CPO:CPO:" + "x" * 100, "x" * 100),
        ("NL:CPO:CPO:  Spaces around  ", "Spaces around"),
        ("NL:cpo:CPO", "CPO"),
    ],
)
def test_printable_names_are_declared(db_url: str, spec: str, name: str):
    result = init(db_url, spec)
    assert result.exit_code == 0, result.output
    [party] = parties(db_url)
    assert party.name == name
    assert party.business_details == {"name": name}
