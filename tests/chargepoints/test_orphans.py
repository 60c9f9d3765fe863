"""Requests in flight when a CPO process stops are answered TIMEOUT by the next one to sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from ocpikit.modules.commands.service import get_command, send_command
from ocpikit.modules.commands.store import CommandLog
from ocpikit.storage.schema import commands
from tests.chargepoints.support import command_token, only_peer, poll, register, seed_location
from tests.support import Databases, running_node

CPO = [("NL", "CPO", "CPO")]
HANGS = {"adapter": "tests.chargepoints.fakes:slow", "command_timeout": 30}


async def test_a_command_whose_process_died_is_answered_timeout_after_a_restart(
    databases: Databases,
):
    cpo_url = await databases.new()
    async with running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp:
        async with running_node(cpo_url, CPO, **HANGS) as cpo:
            pair = await register(emsp, cpo)
            await seed_location(cpo)
            body = {"token": command_token(), "location_id": "LOC1", "evse_uid": "LOC1-1"}
            uid, response = await send_command(
                emsp.db, emsp.client, await only_peer(emsp), "START_SESSION", body
            )
            assert response.result == "ACCEPTED"
        # The CPO process is gone with the command in flight: the eMSP got no result.
        record = await get_command(emsp.db, uid)
        assert record is not None and record.result is None
        async with pair.cpo.db.transaction() as conn:  # ... and its timeout has long passed
            past = datetime.now(UTC) - timedelta(minutes=5)
            await conn.execute(update(commands).values(timeout_at=past))
        async with running_node(cpo_url, CPO, **HANGS) as restarted:
            answered = await poll(
                lambda: get_command(emsp.db, uid), lambda r: r is not None and r.result is not None
            )
            assert answered is not None and answered.result == {"result": "TIMEOUT"}
            async with restarted.db.connect() as conn:
                [received] = await CommandLog(conn).recent(direction="IN")
            assert received.status == "DONE" and received.result == {"result": "TIMEOUT"}


async def test_only_requests_past_their_timeout_and_grace_are_orphans(databases: Databases):
    async with running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp:
        async with running_node(await databases.new(), CPO, **HANGS) as cpo:
            await register(emsp, cpo)
            await seed_location(cpo)
            body = {"token": command_token(), "location_id": "LOC1"}
            await send_command(emsp.db, emsp.client, await only_peer(emsp), "START_SESSION", body)
            now = datetime.now(UTC)
            async with cpo.db.connect() as conn:
                log = CommandLog(conn)
                assert await log.orphans(now - timedelta(seconds=60)) == []  # 30 s timeout
                [orphan] = await log.orphans(now + timedelta(seconds=31))
            assert orphan.command == "START_SESSION" and orphan.status == "PENDING"
            async with cpo.db.transaction() as conn:
                assert await CommandLog(conn).claim_orphan(orphan.uid, "gone")
                assert not await CommandLog(conn).claim_orphan(orphan.uid, "gone")  # taken once
