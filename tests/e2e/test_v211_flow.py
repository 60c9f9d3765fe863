"""Two ocpikit nodes that share OCPI 2.1.1 alone run the whole flow, on SQLite and PostgreSQL.

Handshake, Locations and Tariffs pushed (rendered in 2.1.1 at delivery), an EVSE status PATCH,
a Token pushed the other way, START_SESSION to a simulated charge point, the Session and the
priced CDR pushed to the eMSP, and unregistering. Then a 2.2.1 eMSP beside the 2.1.1 one: one
change reaches both, each in its own version.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import orjson
import pytest

from ocpikit.modules.commands.service import get_command, send_command
from ocpikit.modules.credentials.service import register_with_peer, unregister_peer
from ocpikit.modules.locations.service import patch_local_evse
from ocpikit.modules.tariffs.service import save_local as save_tariff
from ocpikit.modules.tokens.service import save_local as save_token
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.locations import EvsePatch, Location, Status
from ocpikit.protocol.v221.sessions import Session
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.protocol.v221.tokens import Token
from ocpikit.storage.objects import ListQuery, ObjectKey, ObjectStore
from ocpikit.storage.repositories import PeerRepository
from tests.chargepoints.support import (
    SIMULATOR,
    command_token,
    energy_tariff,
    poll,
    seed_location,
    stored,
)
from tests.support import Databases, RunningNode, running_node

pytestmark = pytest.mark.e2e


@pytest.fixture
async def cpo211(databases: Databases) -> AsyncIterator[RunningNode]:
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], versions=["2.1.1"], **SIMULATOR
    ) as node:
        yield node


async def _register(emsp: RunningNode, cpo: RunningNode) -> None:
    await register_with_peer(
        emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
    )


async def test_the_whole_flow_between_two_2_1_1_nodes(
    databases: Databases, cpo211: RunningNode
) -> None:
    cpo = cpo211
    async with running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp:
        await _register(emsp, cpo)
        async with emsp.db.connect() as conn:
            [peer] = await PeerRepository(conn).list()
        assert peer.version == "2.1.1"

        # CPO -> eMSP: a tariff and a location, pushed in 2.1.1 and stored as domain objects.
        await save_tariff(cpo.db, Tariff.model_validate(energy_tariff()))
        await seed_location(cpo)
        loc = await poll(lambda: stored(emsp, "locations", "LOC1"), lambda s: s is not None)
        Location.model_validate(loc)
        assert await poll(lambda: stored(emsp, "tariffs", "T1"), lambda s: s is not None)
        # An EVSE status change: a 2.1.1 PATCH.
        key = ObjectKey("locations", "NL", "CPO", "LOC1")
        await patch_local_evse(
            cpo.db,
            key,
            "LOC1-2",
            EvsePatch(status=Status.BLOCKED, last_updated=loc["last_updated"]),
        )
        await poll(
            lambda: stored(emsp, "locations", "LOC1"),
            lambda s: s is not None and s["evses"][1]["status"] == "BLOCKED",
        )

        # eMSP -> CPO: a token, pushed in 2.1.1.
        token = command_token()
        await save_token(
            emsp.db,
            Token.model_validate({**token, "type": "RFID", "valid": True, "whitelist": "ALLOWED"}),
        )
        cached = await poll(lambda: _token(cpo, "TOKEN1"), lambda s: s is not None)
        assert cached["contract_id"] == token["contract_id"]

        # START_SESSION to the simulated charge point; the session reaches the eMSP.
        body = {"token": token, "location_id": "LOC1", "evse_uid": "LOC1-1"}
        uid, response = await send_command(emsp.db, emsp.client, peer, "START_SESSION", body)
        assert response.result.value == "ACCEPTED"
        await poll(
            lambda: get_command(emsp.db, uid), lambda r: r is not None and r.result is not None
        )
        session = await poll(
            lambda: _only(emsp, "sessions"), lambda s: s is not None and s["status"] == "ACTIVE"
        )
        Session.model_validate(session)
        assert (session["cdr_token"]["country_code"], session["cdr_token"]["party_id"]) == (
            "DE",
            "MSP",
        )
        # STOP_SESSION: the CDR, priced by the CPO, reaches the eMSP.
        uid, response = await send_command(
            emsp.db, emsp.client, peer, "STOP_SESSION", {"session_id": session["id"]}
        )
        assert response.result.value == "ACCEPTED"
        cdr = await poll(lambda: _only(emsp, "cdrs"), lambda s: s is not None, timeout=15)
        CDR.model_validate(cdr)
        assert Decimal(str(cdr["total_cost"]["excl_vat"])) > 0
        assert cdr["cdr_token"]["contract_id"] == token["contract_id"]

        # Unregister: the CPO forgets the eMSP at once.
        assert await unregister_peer(emsp.db, emsp.client, peer) is None
        async with cpo.db.connect() as conn:
            assert await PeerRepository(conn).list() == []


async def test_one_change_reaches_a_2_1_1_and_a_2_2_1_emsp_each_in_its_version(
    databases: Databases,
) -> None:
    async with (
        running_node(await databases.new(), [("NL", "CPO", "CPO")]) as cpo,
        running_node(await databases.new(), [("DE", "MSP", "EMSP")], versions=["2.1.1"]) as old,
        running_node(await databases.new(), [("FR", "NEW", "EMSP")]) as new,
    ):
        await register_with_peer(
            old.db,
            old.client,
            versions_url=cpo.versions_url,
            token_a=await cpo.token_a(),
            versions=["2.1.1"],
        )
        await _register(new, cpo)
        async with cpo.db.connect() as conn:
            versions = sorted(p.version or "" for p in await PeerRepository(conn).list())
        assert versions == ["2.1.1", "2.2.1"]
        await seed_location(cpo, evses=1)
        for emsp in (old, new):
            loc = await poll(lambda e=emsp: stored(e, "locations", "LOC1"), lambda s: s is not None)
            Location.model_validate(loc)
        # An unpublished location reaches the 2.2.1 eMSP only: 2.1.1 has no flag to honour.
        await seed_location(cpo, "LOC2", publish=False, evses=1)
        hidden = await poll(lambda: stored(new, "locations", "LOC2"), lambda s: s is not None)
        assert hidden["publish"] is False
        assert await stored(old, "locations", "LOC2") is None


async def _token(node: RunningNode, uid: str) -> dict | None:
    async with node.db.connect() as conn:
        found = await ObjectStore(conn).get(ObjectKey("tokens", "DE", "MSP", uid, "RFID"))
    return found.parsed() if found else None


async def _only(node: RunningNode, module: str) -> dict | None:
    """The one object of ``module`` the node received (None before it arrives)."""
    async with node.db.connect() as conn:
        items = await ObjectStore(conn).page(
            ListQuery(module=module, is_local=False), offset=0, limit=10
        )
    assert len(items) <= 1
    return orjson.loads(items[0]) if items else None
