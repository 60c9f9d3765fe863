"""Bad input to the operator API is a 4xx with ``{"detail": ...}``, never a 500.

DateTimes outside years 1000..9999 (or not strings), non-ASCII bearer tokens, ids beyond
64 bits, local party names that are not an OCPI ``string(100)``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.operator.conftest import Admin
from tests.transport.test_datetime_range import BAD as BAD_DATETIMES


@pytest.mark.parametrize("value", BAD_DATETIMES)
async def test_operator_put_with_a_bad_datetime_is_422(admin_cpo: Admin, value: Any):
    loc = factories.location("LOC1", last_updated="2026-01-01T00:00:00Z")
    loc["last_updated"] = value
    r = await admin_cpo.put("/locations/NL/CPO/LOC1", loc)
    assert r.status_code == 422, r.text
    assert any(e["loc"] == ["body", "last_updated"] for e in r.json()["detail"])
    assert (await admin_cpo.get("/objects/locations/NL/CPO/LOC1")).status_code == 404


@pytest.mark.parametrize("value", BAD_DATETIMES)
async def test_operator_patch_with_a_bad_datetime_is_422(admin_cpo: Admin, value: Any):
    r = await admin_cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))
    assert r.status_code == 201, r.text
    patch = {"status": "CHARGING", "last_updated": value}
    r = await admin_cpo.patch("/locations/NL/CPO/LOC1/evses/LOC1-1", patch)
    assert r.status_code == 422, r.text
    assert any(e["loc"] == ["body", "last_updated"] for e in r.json()["detail"])
    stored = (await admin_cpo.get("/objects/locations/NL/CPO/LOC1")).json()["data"]
    assert stored["evses"][0]["status"] == "AVAILABLE"


# ---- the admin token -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cpo-admin\u00e9".encode(),
        "Bearer \u20ac".encode(),
        b"Bearer \xff\xfe",
        "Bé x".encode(),
    ],
)
async def test_a_non_ascii_bearer_token_is_401_detail(admin_cpo: Admin, header: bytes):
    r = await admin_cpo.client.get("/api/peers", headers={"Authorization": header})
    assert r.status_code == 401, r.text
    assert r.json() == {"detail": "Operator API: Authorization: Bearer <admin token> required"}
    assert r.headers["www-authenticate"] == "Bearer"


# ---- ids beyond what the database holds ------------------------------------------------------

HUGE = [2**31, 2**63, 2**64, 10**30]


@pytest.mark.parametrize("peer_id", HUGE)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/peers/{id}"),
        ("DELETE", "/peers/{id}"),
        ("POST", "/peers/{id}/update"),
        ("POST", "/peers/{id}/sync"),
    ],
)
async def test_a_peer_id_beyond_the_database_is_404(
    admin_cpo: Admin, method: str, path: str, peer_id: int
):
    r = await admin_cpo.client.request(
        method, "/api" + path.format(id=peer_id), headers=admin_cpo.headers
    )
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": f"No peer {peer_id}: see GET /api/peers"}


@pytest.mark.parametrize("peer_id", [*HUGE, 0, -1])
@pytest.mark.parametrize("path", ["/objects/locations", "/outbox"])
async def test_a_peer_filter_beyond_the_database_is_422(admin_cpo: Admin, path: str, peer_id: int):
    r = await admin_cpo.get(path, params={"peer": str(peer_id)})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", "peer"]


async def test_a_peer_filter_in_range_still_filters(admin_cpo: Admin):
    r = await admin_cpo.get("/objects/locations", params={"peer": str(2**31 - 1)})
    assert r.status_code == 200 and r.json()["items"] == []
    r = await admin_cpo.get("/outbox", params={"peer": "1"})
    assert r.status_code == 200 and r.json()["messages"] == []


@pytest.mark.parametrize("peer", [str(2**64), str(2**31)])
async def test_a_command_to_a_peer_id_beyond_the_database_is_404(admin_emsp: Admin, peer: str):
    body = {"peer": peer, "type": "UNLOCK_CONNECTOR", "body": {}}
    r = await admin_emsp.post("/commands", body)
    assert r.status_code == 404, r.text
    assert r.json()["detail"].startswith("peer: no peer")


async def test_replaying_outbox_ids_beyond_64_bits_is_422(admin_cpo: Admin):
    r = await admin_cpo.post("/outbox/replay", {"ids": [1, 2**64]})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "ids", 1]
    r = await admin_cpo.post("/outbox/replay", {"ids": [1, 2**63 - 1]})
    assert r.status_code == 200 and r.json() == {"replayed": 0, "ignored": [1, 2**63 - 1]}


# ---- local party names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Tab\there", "Line\nbreak", "End\r\n", "NUL\x00", "C1\x85", "x" * 101, "", "   "]
)
async def test_a_party_name_that_is_not_printable_text_is_422(admin_cpo: Admin, name: str):
    body = {"country_code": "NL", "party_id": "CP2", "role": "CPO", "name": name}
    r = await admin_cpo.post("/parties", body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "name"]
    assert [p["party_id"] for p in (await admin_cpo.get("/parties")).json()] == ["CPO"]


async def test_a_printable_unicode_party_name_is_declared(admin_cpo: Admin):
    body = {"country_code": "NL", "party_id": "CP2", "role": "CPO", "name": "Élec – Zürich ⚡"}
    r = await admin_cpo.post("/parties", body)
    assert r.status_code == 201, r.text
    assert r.json()["party"]["business_details"] == {"name": "Élec – Zürich ⚡"}
