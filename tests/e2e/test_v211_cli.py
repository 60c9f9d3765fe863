"""The README's 2.1.1 walk-through: an eMSP registers with a 2.1.1-only CPO and a 2.2.1 CPO
using only the CLI, pulls both, and sees both CPOs' locations in one export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories
from tests.e2e.test_two_nodes_cli import Node, cli
from tests.support import BACKEND, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def databases3(tmp_path: Path) -> Iterator[list[str]]:
    if BACKEND == "sqlite":
        yield [f"sqlite:///{tmp_path / name}.db" for name in ("old", "new", "emsp")]
        return
    import asyncio

    from tests.support import Databases

    dbs = Databases(tmp_path)
    yield [asyncio.run(dbs.new()) for _ in range(3)]
    asyncio.run(dbs.drop_all())


def test_emsp_with_a_2_1_1_cpo_and_a_2_2_1_cpo_exports_both(
    databases3: list[str], tmp_path: Path
) -> None:
    old = Node(
        databases3[0], f"http://127.0.0.1:{free_port()}", env={"OCPIKIT_VERSIONS": '["2.1.1"]'}
    )
    new = Node(databases3[1], f"http://127.0.0.1:{free_port()}")
    emsp = Node(databases3[2], f"http://127.0.0.1:{free_port()}")
    for node, party in ((old, "BE:OLD:CPO"), (new, "NL:NEW:CPO"), (emsp, "DE:MSP:EMSP")):
        cli("init", "--database", node.database, "--base-url", node.url, "--party", party)
        node.start()
    try:
        for node, cc, pid in ((old, "BE", "OLD"), (new, "NL", "NEW")):
            file = tmp_path / f"{pid}.json"
            file.write_text(json.dumps([factories.location(f"{pid}1", cc, pid)]))
            cli(
                "load",
                "locations",
                str(file),
                "--database",
                node.database,
                "--party",
                f"{cc}:{pid}",
            )
        token_old = cli("token", "create", "--database", old.database).stdout.splitlines()[-1]
        token_new = cli("token", "create", "--database", new.database).stdout.splitlines()[-1]
        # The old CPO is registered at its party's own versions URL, as a 2.1.1 peer gives it.
        out = cli(
            "peer",
            "register",
            "--database",
            emsp.database,
            "--versions-url",
            f"{old.url}/ocpi/BE/OLD/versions",
            "--token",
            token_old,
        )
        assert "registered with BE:OLD (peer 1) on OCPI 2.1.1" in out.stdout, out.stdout
        out = cli(
            "peer",
            "register",
            "--database",
            emsp.database,
            "--versions-url",
            f"{new.url}/ocpi/versions",
            "--token",
            token_new,
        )
        assert "on OCPI 2.2.1" in out.stdout, out.stdout
        peers = json.loads(cli("peer", "list", "--database", emsp.database, "--json").stdout)
        assert sorted(p["version"] for p in peers) == ["2.1.1", "2.2.1"]
        for peer in ("1", "2"):
            cli("sync", "--database", emsp.database, "--peer", peer)
        lines = cli("export", "locations", "--database", emsp.database).stdout.splitlines()
        exported = sorted(
            (o["country_code"], o["party_id"], o["id"]) for o in map(json.loads, lines)
        )
        assert exported == [("BE", "OLD", "OLD1"), ("NL", "NEW", "NEW1")]
    finally:
        for node in (old, new, emsp):
            node.stop()
