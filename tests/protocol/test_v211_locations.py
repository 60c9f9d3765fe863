"""OCPI 2.1.1 Locations, both interfaces, through real HTTP between two ocpikit nodes."""

from __future__ import annotations

import orjson
import pytest

from ocpikit.client.ocpi import OcpiClient
from ocpikit.modules.locations.service import save_local
from ocpikit.modules.tariffs.service import save_local as save_tariff
from ocpikit.protocol.v211.locations import EVSE as EVSE211
from ocpikit.protocol.v211.locations import Location as Location211
from ocpikit.protocol.v221.locations import Location
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import PartyRepository, PeerRepository
from ocpikit.sync.pull import pull
from tests import factories
from tests.support import Pair, RunningNode

pytestmark = pytest.mark.e2e

CPO_API = "/ocpi/2.1.1/NL/CPO/locations"
EMSP_API = "/ocpi/2.1.1/DE/MSP/locations"


async def _stored(node: RunningNode, cc: str, pid: str, lid: str) -> dict | None:
    async with node.db.connect() as conn:
        found = await ObjectStore(conn).get(ObjectKey("locations", cc, pid, lid))
    return orjson.loads(found.data) if found else None


async def test_cpo_lists_and_serves_its_locations_in_2_1_1(pair211: Pair) -> None:
    cpo = pair211.cpo
    for lid in ("LOC1", "LOC2"):
        await save_local(cpo.db, Location.model_validate(factories.location(lid)))
    headers = cpo.auth(pair211.to_cpo, "plain")
    r = await cpo.client.get(CPO_API, headers=headers)
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    listed = r.json()["data"]
    assert [loc["id"] for loc in listed] == ["LOC1", "LOC2"]
    for loc in listed:
        Location211.model_validate(loc)
        assert "country_code" not in loc and "publish" not in loc
        assert loc["type"] == "ON_STREET"
    assert r.headers["X-Total-Count"] == "2"
    one = await cpo.client.get(f"{CPO_API}/LOC1/LOC1-1", headers=headers)
    EVSE211.model_validate(one.json()["data"])
    connector = (await cpo.client.get(f"{CPO_API}/LOC1/LOC1-1/1", headers=headers)).json()
    assert connector["data"]["tariff_id"] == "T1"


async def test_emsp_stores_a_2_1_1_location_as_a_domain_object(pair211: Pair) -> None:
    emsp = pair211.emsp
    wire = {
        "id": "LOC9",
        "type": "PARKING_LOT",
        "name": "Gent Zuid",
        "address": "F.Rooseveltlaan 3A",
        "city": "Gent",
        "postal_code": "9000",
        "country": "BEL",
        "coordinates": {"latitude": "51.047599", "longitude": "3.729944"},
        "evses": [
            {
                "uid": "3256",
                "evse_id": "BE*BEC*E041503001",
                "status": "AVAILABLE",
                "connectors": [
                    {
                        "id": "1",
                        "standard": "IEC_62196_T2",
                        "format": "CABLE",
                        "power_type": "AC_3_PHASE",
                        "voltage": 220,
                        "amperage": 16,
                        "tariff_id": "11",
                        "last_updated": "2026-01-01T10:00:00Z",
                    }
                ],
                "last_updated": "2026-01-01T10:00:00Z",
            }
        ],
        "last_updated": "2026-01-01T10:00:00Z",
    }
    headers = emsp.auth(pair211.to_emsp, "plain")
    r = await emsp.client.put(f"{EMSP_API}/NL/CPO/LOC9", json=wire, headers=headers)
    assert r.status_code == 201 and r.json()["status_code"] == 1000, r.text
    stored = await _stored(emsp, "NL", "CPO", "LOC9")
    assert stored is not None
    domain = Location.model_validate(stored)
    assert (domain.country_code, domain.party_id) == ("NL", "CPO")
    assert domain.evses and domain.evses[0].connectors[0].tariff_ids == ["11"]
    # PATCH of an EVSE status, 2.1.1 style (no last_updated needed): applied.
    r = await emsp.client.patch(
        f"{EMSP_API}/NL/CPO/LOC9/3256", json={"status": "CHARGING"}, headers=headers
    )
    assert r.json()["status_code"] == 1000, r.text
    stored = await _stored(emsp, "NL", "CPO", "LOC9")
    assert stored and stored["evses"][0]["status"] == "CHARGING"
    # Read back through the 2.1.1 Receiver GET: a valid 2.1.1 Location.
    back = await emsp.client.get(f"{EMSP_API}/NL/CPO/LOC9", headers=headers)
    Location211.model_validate(back.json()["data"])
    # A 2.1.1 error names the field in 2.1.1 terms, and nothing is stored.
    bad = {**wire, "id": "LOC8", "type": "MOTORWAY"}
    r = await emsp.client.put(f"{EMSP_API}/NL/CPO/LOC8", json=bad, headers=headers)
    assert r.json()["status_code"] == 2001 and "type" in r.json()["status_message"]
    assert await _stored(emsp, "NL", "CPO", "LOC8") is None
    # Party isolation holds at the 2.1.1 edge too.
    r = await emsp.client.put(f"{EMSP_API}/BE/BEC/LOC9", json=wire, headers=headers)
    assert r.status_code == 404


async def test_emsp_pulls_a_2_1_1_cpo_into_its_domain_store(pair211: Pair) -> None:
    """Pull sync from a 2.1.1 CPO: locations, tariffs; stored as domain objects."""
    cpo, emsp = pair211.cpo, pair211.emsp
    for lid in ("LOC1", "LOC2", "LOC3"):
        await save_local(cpo.db, Location.model_validate(factories.location(lid)))
    await save_tariff(cpo.db, Tariff.model_validate(factories.tariff("T1")))
    async with emsp.db.connect() as conn:
        [peer] = await PeerRepository(conn).list()
        parties = await PartyRepository(conn).list()
    async with OcpiClient(peer, parties) as client:
        for module in ("locations", "tariffs"):
            report = await pull(emsp.db, peer, module, True, client)
            assert report.invalid == 0 and report.foreign == 0, (module, report)
    for lid in ("LOC1", "LOC2", "LOC3"):
        stored = await _stored(emsp, "NL", "CPO", lid)
        assert stored is not None
        Location.model_validate(stored)
    async with emsp.db.connect() as conn:
        tariff = await ObjectStore(conn).get(ObjectKey("tariffs", "NL", "CPO", "T1"))
    assert tariff is not None
    Tariff.model_validate(orjson.loads(tariff.data))
