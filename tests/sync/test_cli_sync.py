"""``ocpikit sync`` through the real CLI against a running CPO node."""

from __future__ import annotations

import asyncio
import time

from click.testing import Result
from typer.testing import CliRunner

from ocpikit.cli.main import app
from ocpikit.modules.locations import service
from ocpikit.protocol.v221.locations import Location
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import PeerRepository
from tests import factories
from tests.fault_peer import fault_peer, register_fault_peer
from tests.support import Databases, Pair, free_port, initialise

runner = CliRunner()


async def ocpikit(*args: str) -> Result:
    # The CLI runs its own event loop: give it a thread while the nodes serve in this one.
    return await asyncio.to_thread(runner.invoke, app, list(args))


async def test_sync_prints_one_line_per_module_and_is_incremental(pair: Pair):
    for i in range(3):
        loc = factories.location(f"L{i}", last_updated="2026-01-01T00:00:00Z")
        await service.save_local(pair.cpo.db, Location.model_validate(loc))
    db = pair.emsp.database_url
    result = await ocpikit("sync", "--database", db, "--peer", "NL:CPO", "--module", "locations")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.startswith("locations: 3 new, 0 updated, 0 unchanged, 0 stale, 0 skipped")
    result = await ocpikit("sync", "--database", db, "--peer", "1", "--module", "locations")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("locations: 0 new, 0 updated")
    assert "since " in result.stdout
    result = await ocpikit("sync", "--database", db, "--peer", "NL:CPO", "--full")
    assert result.exit_code == 0, result.output
    modules = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert modules[0] == "locations" and {"tariffs", "sessions", "cdrs"} <= set(modules)
    assert "locations: 0 new, 0 updated, 3 unchanged" in result.stdout


async def test_sync_errors_are_one_sentence_on_stderr(pair: Pair):
    db = pair.emsp.database_url
    result = await ocpikit("sync", "--database", db, "--peer", "FR:XXX")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no registered peer 'FR:XXX': see `ocpikit peer list`"
    result = await ocpikit("sync", "--database", db, "--peer", "NL:CPO", "--module", "commands")
    assert result.exit_code == 1
    assert "is not a module ocpikit pulls" in result.stderr
    # The CPO has no tokens Sender: the eMSP cannot pull tokens from it.
    result = await ocpikit("sync", "--database", db, "--peer", "NL:CPO", "--module", "tokens")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: tokens: peer NL:CPO offers no tokens SENDER")
    assert result.stderr.count("\n") == 1


async def test_sync_of_an_unreachable_peer_fails_cleanly(pair: Pair):
    async with pair.emsp.db.transaction() as conn:
        repo = PeerRepository(conn)
        [peer] = await repo.list()
        dead = f"http://127.0.0.1:{free_port()}/ocpi/2.2.1/locations"
        endpoints = [{**e, "url": dead} for e in peer.endpoints if e["identifier"] == "locations"]
        await repo.update(peer.id, endpoints=endpoints)
    result = await ocpikit("sync", "--database", pair.emsp.database_url, "--peer", "NL:CPO")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: locations: cannot reach {dead}")
    assert result.stderr.count("\n") == 1


async def test_sync_with_a_progress_bar_on_a_terminal(pair: Pair, monkeypatch):
    monkeypatch.setattr("ocpikit.cli.sync.is_tty", lambda: True)
    loc = factories.location("L1", last_updated="2026-01-01T00:00:00Z")
    await service.save_local(pair.cpo.db, Location.model_validate(loc))
    result = await ocpikit(
        "sync", "--database", pair.emsp.database_url, "--peer", "NL:CPO", "--module", "locations"
    )
    assert result.exit_code == 0, result.output
    assert "locations: 1 new" in result.stdout


async def test_sync_of_a_peer_answering_one_byte_per_second_ends_at_the_deadline(
    databases: Databases,
):
    url = await databases.new()
    await initialise(url, "http://127.0.0.1:1", [("DE", "MSP", "EMSP")])
    db = Database.unpooled(url)
    try:
        async with fault_peer("trickle") as peer:
            modules = ("locations", "tariffs")
            await register_fault_peer(
                db, peer, "TRK", interface="SENDER", modules=modules, party_role="CPO"
            )
            started = time.monotonic()
            result = await ocpikit(
                "sync", "--database", url, "--peer", "DE:TRK", "--timeout", "1.5"
            )
            took = time.monotonic() - started
    finally:
        await db.close()
    assert result.exit_code == 1
    assert took < 4.0, took
    first, second = result.stderr.splitlines()
    assert first.startswith(f"error: locations: {peer.url}/ocpi/2.2.1/locations")
    assert first.endswith("did not answer within 1.5 s")
    assert second == "error: tariffs: skipped (peer DE:TRK did not answer locations in time)"
    assert peer.requests == 1
