"""Operator API: our locations (EVSE status), tariffs and tokens; listing stored objects."""

from __future__ import annotations

import pytest

from tests import factories
from tests.operator.conftest import Admin, AdminPair, eventually


async def _count(admin: Admin, module: str) -> int:
    return len((await admin.get(f"/objects/{module}")).json()["items"])


# ---- locations ---------------------------------------------------------------------------


async def test_put_location_creates_then_updates(admin_cpo: Admin):
    r = await admin_cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))
    assert r.status_code == 201, r.text
    assert r.json()["outcome"] == "created"
    assert r.json()["object"]["id"] == "LOC1"
    newer = factories.location("LOC1", name="Renamed", last_updated="2026-02-01T00:00:00Z")
    r = await admin_cpo.put("/locations/NL/CPO/LOC1", newer)
    assert r.status_code == 200 and r.json()["outcome"] == "updated"
    stored = (await admin_cpo.get("/objects/locations/NL/CPO/LOC1")).json()
    assert stored["source"] == "local" and stored["data"]["name"] == "Renamed"


async def test_put_older_location_is_409_and_keeps_the_stored_one(admin_cpo: Admin):
    new = factories.location("LOC1", name="New", last_updated="2026-02-01T00:00:00Z")
    assert (await admin_cpo.put("/locations/NL/CPO/LOC1", new)).status_code == 201
    old = factories.location("LOC1", name="Old")
    r = await admin_cpo.put("/locations/NL/CPO/LOC1", old)
    assert r.status_code == 409
    assert r.json()["detail"].startswith("last_updated:")
    stored = (await admin_cpo.get("/objects/locations/NL/CPO/LOC1")).json()
    assert stored["data"]["name"] == "New"


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/locations/NL/CPO/LOC2", factories.location("LOC1"), 422, "id"),
        ("/locations/NL/XXX/LOC1", factories.location("LOC1", pid="XXX"), 422, "country_code"),
        ("/locations/DE/CPO/LOC1", factories.location("LOC1"), 422, "country_code"),
        (
            "/locations/NL/CPO/LOC1",
            {k: v for k, v in factories.location("LOC1").items() if k != "address"},
            422,
            "address",
        ),
        ("/locations/NL/CPO/LOC1", factories.location("LOC1", last_updated="yesterday"), 422, ""),
    ],
)
async def test_bad_location_is_422_naming_the_field_and_stores_nothing(
    admin_cpo: Admin, path: str, body: dict, status: int, field: str
):
    r = await admin_cpo.put(path, body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    if isinstance(detail, str):
        assert detail.startswith(field)
    else:
        assert any(field in e["loc"] or not field for e in detail), detail
        assert all(e["loc"][0] == "body" for e in detail)
    assert await _count(admin_cpo, "locations") == 0


async def test_location_of_a_party_of_another_role_is_refused(admin_emsp: Admin):
    r = await admin_emsp.put("/locations/DE/MSP/LOC1", factories.location("LOC1", "DE", "MSP"))
    assert r.status_code == 422
    assert "not a local CPO party" in r.json()["detail"]


async def test_patch_evse_status(admin_pair: AdminPair):
    cpo = admin_pair.cpo
    assert (await cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))).status_code == 201
    r = await cpo.patch("/locations/NL/CPO/LOC1/evses/LOC1-1", {"status": "CHARGING"})
    assert r.status_code == 200, r.text
    evse = next(e for e in r.json()["object"]["evses"] if e["uid"] == "LOC1-1")
    assert evse["status"] == "CHARGING"
    assert evse["last_updated"] > "2026-01-01T00:00:00Z"

    # the eMSP receives the location, then the PATCH
    async def charging():
        got = await admin_pair.emsp.get("/objects/locations/NL/CPO/LOC1")
        if got.status_code != 200:
            return None
        evses = {e["uid"]: e["status"] for e in got.json()["data"]["evses"]}
        return evses["LOC1-1"] == "CHARGING"

    await eventually(charging)


async def test_patch_evse_errors(admin_cpo: Admin):
    assert (await admin_cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))).is_success
    unknown_evse = await admin_cpo.patch(
        "/locations/NL/CPO/LOC1/evses/NOPE", {"status": "CHARGING"}
    )
    assert unknown_evse.status_code == 404
    unknown_location = await admin_cpo.patch(
        "/locations/NL/CPO/LOC9/evses/LOC1-1", {"status": "CHARGING"}
    )
    assert unknown_location.status_code == 404
    bad = await admin_cpo.patch("/locations/NL/CPO/LOC1/evses/LOC1-1", {"status": "ON_FIRE"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "status"]
    older = await admin_cpo.patch(
        "/locations/NL/CPO/LOC1/evses/LOC1-1",
        {"status": "CHARGING", "last_updated": "2025-01-01T00:00:00Z"},
    )
    assert older.status_code == 409
    stored = (await admin_cpo.get("/objects/locations/NL/CPO/LOC1")).json()["data"]
    assert {e["status"] for e in stored["evses"]} == {"AVAILABLE"}


# ---- tariffs -----------------------------------------------------------------------------


async def test_put_and_delete_tariff(admin_cpo: Admin):
    r = await admin_cpo.put("/tariffs/NL/CPO/T1", factories.tariff("T1"))
    assert r.status_code == 201, r.text
    assert (await admin_cpo.get("/objects/tariffs/NL/CPO/T1")).status_code == 200
    r = await admin_cpo.delete("/tariffs/NL/CPO/T1")
    assert r.status_code == 200 and r.json() == {"deleted": True}
    assert (await admin_cpo.get("/objects/tariffs/NL/CPO/T1")).status_code == 404
    assert (await admin_cpo.delete("/tariffs/NL/CPO/T1")).status_code == 404


async def test_bad_tariff_is_422_and_stores_nothing(admin_cpo: Admin):
    r = await admin_cpo.put("/tariffs/NL/CPO/T1", factories.tariff("T1", currency="EURO"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "currency"]
    r = await admin_cpo.put("/tariffs/NL/CPO/T2", factories.tariff("T1"))
    assert r.status_code == 422 and r.json()["detail"].startswith("id:")
    assert await _count(admin_cpo, "tariffs") == 0


# ---- tokens ------------------------------------------------------------------------------


async def test_put_and_patch_token(admin_pair: AdminPair):
    emsp = admin_pair.emsp
    r = await emsp.put("/tokens/DE/MSP/012345678", factories.token("012345678"))
    assert r.status_code == 201, r.text
    r = await emsp.patch("/tokens/DE/MSP/012345678", {"valid": False})
    assert r.status_code == 200, r.text
    assert r.json()["object"]["valid"] is False

    async def invalid_at_cpo():
        got = await admin_pair.cpo.get("/objects/tokens/DE/MSP/012345678", params={"type": "RFID"})
        return got.status_code == 200 and got.json()["data"]["valid"] is False

    await eventually(invalid_at_cpo)


async def test_token_errors(admin_emsp: Admin):
    r = await admin_emsp.put(
        "/tokens/DE/MSP/T1", factories.token("T1"), params={"type": "APP_USER"}
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("type:")
    r = await admin_emsp.put("/tokens/DE/MSP/T1", factories.token("T1", whitelist="MAYBE"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "whitelist"]
    r = await admin_emsp.put("/tokens/NL/CPO/T1", factories.token("T1", "NL", "CPO"))
    assert r.status_code == 422 and "not a local EMSP party" in r.json()["detail"]
    assert await _count(admin_emsp, "tokens") == 0
    r = await admin_emsp.patch("/tokens/DE/MSP/T1", {"valid": False})
    assert r.status_code == 404
    assert (await admin_emsp.put("/tokens/DE/MSP/T1", factories.token("T1"))).status_code == 201
    r = await admin_emsp.patch("/tokens/DE/MSP/T1", {"uid": "OTHER"})
    assert r.status_code == 422 and "uid" in r.json()["detail"]
    r = await admin_emsp.patch("/tokens/DE/MSP/T1", {"valid": "no"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "valid"]


# ---- listing -----------------------------------------------------------------------------


async def test_list_objects_pages_by_row_id(admin_cpo: Admin):
    for i in range(5):
        assert (
            await admin_cpo.put(f"/locations/NL/CPO/L{i}", factories.location(f"L{i}"))
        ).is_success
    first = (await admin_cpo.get("/objects/locations", params={"limit": 2})).json()
    assert [o["object_id"] for o in first["items"]] == ["L0", "L1"]
    seen = [o["object_id"] for o in first["items"]]
    after = first["next_after"]
    while after is not None:
        page = await admin_cpo.get("/objects/locations", params={"limit": 2, "after": after})
        seen += [o["object_id"] for o in page.json()["items"]]
        after = page.json()["next_after"]
    assert seen == ["L0", "L1", "L2", "L3", "L4"]
    assert (await admin_cpo.get("/objects/locations", params={"source": "received"})).json() == {
        "items": [],
        "next_after": None,
    }
    local = (await admin_cpo.get("/objects/locations", params={"source": "local"})).json()
    assert len(local["items"]) == 5
    assert local["items"][0]["data"]["country_code"] == "NL"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/objects/cars", {}, "module"),
        ("/objects/locations", {"source": "mine"}, "source"),
        ("/objects/locations", {"limit": 0}, "limit"),
        ("/objects/locations", {"after": "x"}, "after"),
        ("/objects/tokens/DE/MSP/T1", {"type": "BADGE"}, "type"),
    ],
)
async def test_bad_listing_parameters_are_422(admin_cpo: Admin, path, params, field):
    r = await admin_cpo.get(path, params=params)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field


async def test_unknown_object_is_404(admin_cpo: Admin):
    r = await admin_cpo.get("/objects/sessions/NL/CPO/S1")
    assert r.status_code == 404 and "S1" in r.json()["detail"]
