"""OCPI 2.1.1 Sessions and CDRs, both interfaces, between two ocpikit nodes on loopback."""

from __future__ import annotations

import orjson
import pytest

from ocpikit.modules.cdrs.service import save_local as save_cdr
from ocpikit.modules.locations.service import save_local as save_location
from ocpikit.modules.sessions.service import save_local as save_session
from ocpikit.protocol.v211.cdrs import CDR as CDR211
from ocpikit.protocol.v211.sessions import Session as Session211
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.locations import Location
from ocpikit.protocol.v221.sessions import Session
from ocpikit.storage.objects import ObjectKey, ObjectStore
from tests import factories
from tests.support import Pair, RunningNode

pytestmark = pytest.mark.e2e

CPO_API = "/ocpi/2.1.1/NL/CPO"
EMSP_API = "/ocpi/2.1.1/DE/MSP"


async def _stored(node: RunningNode, module: str, oid: str) -> dict | None:
    async with node.db.connect() as conn:
        found = await ObjectStore(conn).get(ObjectKey(module, "NL", "CPO", oid))
    return orjson.loads(found.data) if found else None


async def test_cpo_lists_sessions_and_cdrs_in_2_1_1_with_their_location(pair211: Pair) -> None:
    cpo = pair211.cpo
    await save_location(cpo.db, Location.model_validate(factories.location("LOC1")))
    await save_session(cpo.db, Session.model_validate(factories.session("S1")))
    await save_cdr(cpo.db, CDR.model_validate(factories.cdr("CDR1")))
    headers = cpo.auth(pair211.to_cpo, "plain")
    r = await cpo.client.get(f"{CPO_API}/sessions?date_from=2025-01-01T00:00:00Z", headers=headers)
    [session] = r.json()["data"]
    Session211.model_validate(session)
    assert session["location"]["id"] == "LOC1"
    assert [e["uid"] for e in session["location"]["evses"]] == ["LOC1-1"]
    assert session["auth_id"] == factories.cdr_token()["contract_id"]
    r = await cpo.client.get(f"{CPO_API}/cdrs", headers=headers)
    [cdr] = r.json()["data"]
    CDR211.model_validate(cdr)
    assert cdr["total_cost"] == 4.0 and cdr["location"]["id"] == "LOC1"


async def test_emsp_receives_2_1_1_sessions_and_cdrs_as_domain_objects(pair211: Pair) -> None:
    """The CPO side of a 2.1.1 peer sends 2.1.1 objects; the eMSP stores domain ones."""
    cpo, emsp = pair211.cpo, pair211.emsp
    # Rendered by the CPO node itself, so the bodies are what a 2.1.1 CPO sends.
    await save_location(cpo.db, Location.model_validate(factories.location("LOC1")))
    await save_session(cpo.db, Session.model_validate(factories.session("S1")))
    await save_cdr(cpo.db, CDR.model_validate(factories.cdr("CDR1")))
    cpo_headers = cpo.auth(pair211.to_cpo, "plain")
    sessions = await cpo.client.get(
        f"{CPO_API}/sessions?date_from=2025-01-01T00:00:00Z", headers=cpo_headers
    )
    [session] = sessions.json()["data"]
    [cdr] = (await cpo.client.get(f"{CPO_API}/cdrs", headers=cpo_headers)).json()["data"]

    headers = emsp.auth(pair211.to_emsp, "plain")
    # Its Location first (a CDR is served back in 2.1.1 with its Location embedded).
    location = (await cpo.client.get(f"{CPO_API}/locations/LOC1", headers=cpo_headers)).json()
    r = await emsp.client.put(
        f"{EMSP_API}/locations/NL/CPO/LOC1", json=location["data"], headers=headers
    )
    assert r.json()["status_code"] == 1000, r.text
    r = await emsp.client.put(f"{EMSP_API}/sessions/NL/CPO/S1", json=session, headers=headers)
    # 200 when the CPO node's own push of S1 (rendered in 2.1.1 too) came first.
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000, r.text
    stored = await _stored(emsp, "sessions", "S1")
    assert stored is not None
    domain = Session.model_validate(stored)
    assert (domain.cdr_token.country_code, domain.cdr_token.party_id) == ("DE", "MSP")
    assert (domain.location_id, domain.evse_uid, domain.connector_id) == ("LOC1", "LOC1-1", "1")
    r = await emsp.client.patch(
        f"{EMSP_API}/sessions/NL/CPO/S1", json={"kwh": 3.5}, headers=headers
    )
    assert r.json()["status_code"] == 1000, r.text
    assert (await _stored(emsp, "sessions", "S1") or {})["kwh"] == 3.5

    r = await emsp.client.post(f"{EMSP_API}/cdrs", json=cdr, headers=headers)
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000, r.text
    assert r.headers["Location"] == f"{emsp.url}{EMSP_API}/cdrs/NL/CPO/CDR1"
    stored_cdr = await _stored(emsp, "cdrs", "CDR1")
    assert stored_cdr is not None
    CDR.model_validate(stored_cdr)
    assert stored_cdr["total_cost"]["excl_vat"] == 4.0
    back = await emsp.client.get(r.headers["Location"], headers=headers)
    assert back.json()["status_code"] == 1000, back.text
    CDR211.model_validate(back.json()["data"])
