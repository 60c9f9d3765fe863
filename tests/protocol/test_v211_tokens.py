"""OCPI 2.1.1 Tokens: the eMSP's Sender (list, real-time authorization), the CPO's Receiver."""

from __future__ import annotations

import orjson
import pytest

from ocpikit.client.ocpi import OcpiClient
from ocpikit.modules.tokens.service import save_local
from ocpikit.protocol.v211.tokens import Token as Token211
from ocpikit.protocol.v221.tokens import AllowedType, Token, TokenType
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import PartyRepository, PeerRepository
from ocpikit.sync.pull import pull
from tests import factories
from tests.support import Pair, RunningNode

pytestmark = pytest.mark.e2e


async def _token(node: RunningNode, uid: str) -> dict | None:
    async with node.db.connect() as conn:
        found = await ObjectStore(conn).get(ObjectKey("tokens", "DE", "MSP", uid, "RFID"))
    return orjson.loads(found.data) if found else None


async def test_cpo_pulls_and_authorizes_tokens_of_a_2_1_1_emsp(pair211: Pair) -> None:
    cpo, emsp = pair211.cpo, pair211.emsp
    for uid in ("AAA1", "BBB2"):
        await save_local(emsp.db, Token.model_validate(factories.token(uid)))
    # The eMSP's 2.1.1 Sender lists 2.1.1 Tokens.
    r = await emsp.client.get(
        "/ocpi/2.1.1/DE/MSP/tokens", headers=emsp.auth(pair211.to_emsp, "plain")
    )
    listed = r.json()["data"]
    assert [t["uid"] for t in listed] == ["AAA1", "BBB2"]
    for token in listed:
        Token211.model_validate(token)
        assert token["auth_id"] == factories.token(token["uid"])["contract_id"]
    # The CPO pulls them into its cache, owned by the eMSP's party.
    async with cpo.db.connect() as conn:
        [peer] = await PeerRepository(conn).list()
        parties = await PartyRepository(conn).list()
    async with OcpiClient(peer, parties) as client:
        report = await pull(cpo.db, peer, "tokens", True, client)
        assert report.invalid == 0 and report.foreign == 0, report
        cached = await _token(cpo, "AAA1")
        assert cached is not None
        assert Token.model_validate(cached).contract_id == factories.token("AAA1")["contract_id"]
        # Real-time authorization in 2.1.1: the answer carries no token; the cached one is used.
        info = await client.authorize("AAA1", TokenType.RFID, token=cached)
    assert info.allowed is AllowedType.ALLOWED
    assert info.token.uid == "AAA1"


async def test_emsp_pushes_a_2_1_1_token_to_the_cpo_receiver(pair211: Pair) -> None:
    cpo = pair211.cpo
    wire = {
        "uid": "CCC3",
        "type": "RFID",
        "auth_id": "DE-MSP-C12345",
        "issuer": "Drive Co",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": "2026-01-01T00:00:00Z",
    }
    headers = cpo.auth(pair211.to_cpo, "plain")
    r = await cpo.client.put("/ocpi/2.1.1/NL/CPO/tokens/DE/MSP/CCC3", json=wire, headers=headers)
    assert r.status_code == 201 and r.json()["status_code"] == 1000, r.text
    stored = await _token(cpo, "CCC3")
    assert stored is not None and stored["contract_id"] == "DE-MSP-C12345"
    r = await cpo.client.patch(
        "/ocpi/2.1.1/NL/CPO/tokens/DE/MSP/CCC3", json={"valid": False}, headers=headers
    )
    assert r.json()["status_code"] == 1000, r.text
    assert (await _token(cpo, "CCC3") or {})["valid"] is False
    back = await cpo.client.get("/ocpi/2.1.1/NL/CPO/tokens/DE/MSP/CCC3", headers=headers)
    Token211.model_validate(back.json()["data"])
