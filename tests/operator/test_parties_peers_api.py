"""Operator API: local parties, registration tokens, peers and pull sync."""

from __future__ import annotations

import pytest

from tests import factories
from tests.operator.conftest import Admin, AdminPair, eventually
from tests.support import Databases, running_node

# ---- authentication ----------------------------------------------------------------------

PROTECTED = [
    ("GET", "/api/parties"),
    ("POST", "/api/parties"),
    ("POST", "/api/tokens/registration"),
    ("GET", "/api/peers"),
    ("POST", "/api/peers"),
    ("POST", "/api/peers/1/update"),
    ("DELETE", "/api/peers/1"),
    ("POST", "/api/peers/1/sync"),
    ("PUT", "/api/locations/NL/CPO/LOC1"),
    ("PATCH", "/api/locations/NL/CPO/LOC1/evses/E1"),
    ("PUT", "/api/tariffs/NL/CPO/T1"),
    ("DELETE", "/api/tariffs/NL/CPO/T1"),
    ("PUT", "/api/tokens/DE/MSP/T1"),
    ("PATCH", "/api/tokens/DE/MSP/T1"),
    ("GET", "/api/objects/locations"),
    ("GET", "/api/objects/locations/NL/CPO/LOC1"),
    ("POST", "/api/commands"),
    ("GET", "/api/commands/abc"),
    ("POST", "/api/authorize"),
    ("GET", "/api/outbox"),
    ("POST", "/api/outbox/replay"),
    ("GET", "/api/events"),
]


async def test_every_endpoint_needs_the_admin_token(admin_cpo: Admin):
    for method, path in PROTECTED:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            r = await admin_cpo.client.request(method, path, headers=headers, json={})
            assert r.status_code == 401, (method, path, r.text)
            assert "detail" in r.json()


async def test_openapi_documents_every_endpoint(admin_cpo: Admin):
    paths = (await admin_cpo.client.get("/openapi.json")).json()["paths"]
    for method, path in PROTECTED:
        template = (
            path.replace("/NL/CPO/LOC1", "/{country_code}/{party_id}/{location_id}")
            .replace("/evses/E1", "/evses/{evse_uid}")
            .replace("/NL/CPO/T1", "/{country_code}/{party_id}/{tariff_id}")
            .replace("/DE/MSP/T1", "/{country_code}/{party_id}/{uid}")
            .replace("/peers/1", "/peers/{peer_id}")
            .replace("/commands/abc", "/commands/{uid}")
        )
        if template == "/api/objects/locations":
            template = "/api/objects/{module}"
        if template.startswith("/api/objects/locations/"):
            template = "/api/objects/{module}/{country_code}/{party_id}/{object_id}"
        assert template in paths, template
        assert method.lower() in paths[template], (method, template)


# ---- parties -----------------------------------------------------------------------------


async def test_list_parties(admin_cpo: Admin):
    r = await admin_cpo.get("/parties")
    assert r.status_code == 200
    assert r.json() == [
        {
            "country_code": "NL",
            "party_id": "CPO",
            "role": "CPO",
            "name": "CPO",
            "business_details": {"name": "CPO"},
        }
    ]


async def test_declare_a_party_of_a_served_role(admin_cpo: Admin):
    r = await admin_cpo.post(
        "/parties", {"country_code": "nl", "party_id": "cp2", "role": "CPO", "name": "Second"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["party"]["country_code"] == "NL" and body["party"]["party_id"] == "CP2"
    assert body["changed"] is True and body["restart_required"] is False
    again = await admin_cpo.post(
        "/parties", {"country_code": "NL", "party_id": "CP2", "role": "CPO", "name": "Second"}
    )
    assert again.status_code == 200
    assert again.json()["changed"] is False
    node = (await admin_cpo.get("/node")).json()
    assert {(p["party_id"], p["role"]) for p in node["parties"]} == {("CPO", "CPO"), ("CP2", "CPO")}


async def test_a_new_role_needs_a_restart(admin_cpo: Admin):
    r = await admin_cpo.post(
        "/parties",
        {
            "country_code": "NL",
            "party_id": "MSP",
            "role": "EMSP",
            "name": "Our eMSP",
            "business_details": {"name": "Our eMSP", "website": "https://msp.example.com"},
        },
    )
    assert r.status_code == 201
    assert r.json()["restart_required"] is True
    assert "restart" in r.json()["message"]
    assert r.json()["party"]["business_details"]["website"] == "https://msp.example.com"
    # still true for a second party of that role: its modules are not mounted yet
    r = await admin_cpo.post(
        "/parties", {"country_code": "NL", "party_id": "MS2", "role": "EMSP", "name": "Two"}
    )
    assert r.json()["restart_required"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country_code": "NLD", "party_id": "ABC", "role": "CPO", "name": "x"}, "country_code"),
        ({"country_code": "NL", "party_id": "AB", "role": "CPO", "name": "x"}, "party_id"),
        ({"country_code": "NL", "party_id": "ABC", "role": "BOSS", "name": "x"}, "role"),
        ({"country_code": "NL", "party_id": "ABC", "role": "CPO"}, "name"),
    ],
)
async def test_bad_party_is_422_naming_the_field(admin_cpo: Admin, body: dict, field: str):
    r = await admin_cpo.post("/parties", body)
    assert r.status_code == 422
    assert any(e["loc"][-1] == field for e in r.json()["detail"]), r.json()
    assert len((await admin_cpo.get("/parties")).json()) == 1


# ---- registration tokens and peers -------------------------------------------------------


async def test_registration_token(admin_cpo: Admin):
    r = await admin_cpo.post("/tokens/registration", {"label": "for MSP"})
    assert r.status_code == 201
    assert r.json()["versions_url"] == admin_cpo.node.versions_url
    assert len(r.json()["token"]) >= 32
    no_body = await admin_cpo.post("/tokens/registration")
    assert no_body.status_code == 201 and no_body.json()["label"] is None
    listed = (await admin_cpo.get("/tokens/registration")).json()
    assert [t["label"] for t in listed] == ["for MSP", None]
    assert all("token" not in t for t in listed)


async def test_register_list_update_and_delete_a_peer(admin_pair: AdminPair):
    emsp = admin_pair.emsp
    peers = (await emsp.get("/peers")).json()
    assert [(p["id"], p["status"], p["name"]) for p in peers] == [
        (admin_pair.cpo_peer_id, "REGISTERED", "NL:CPO")
    ]
    assert any(e["identifier"] == "locations" for e in peers[0]["endpoints"])
    one = await emsp.get(f"/peers/{admin_pair.cpo_peer_id}")
    assert one.json()["roles"] == [{"role": "CPO", "country_code": "NL", "party_id": "CPO"}]
    # the CPO sees the eMSP
    assert (await admin_pair.cpo.get("/peers")).json()[0]["name"] == "DE:MSP"

    updated = await emsp.post(f"/peers/{admin_pair.cpo_peer_id}/update")
    assert updated.status_code == 200, updated.text
    assert updated.json()["status"] == "REGISTERED"

    deleted = await emsp.delete(f"/peers/{admin_pair.cpo_peer_id}")
    assert deleted.status_code == 200
    assert deleted.json()["peer"]["status"] == "UNREGISTERED"
    assert deleted.json()["warning"] is None
    assert (await emsp.get("/peers")).json() == []
    listed = (await emsp.get("/peers", params={"include_unregistered": "true"})).json()
    assert [p["status"] for p in listed] == ["UNREGISTERED"]
    # an unregistered peer cannot be updated nor synced
    assert (await emsp.post(f"/peers/{admin_pair.cpo_peer_id}/update")).status_code == 409
    assert (await emsp.post(f"/peers/{admin_pair.cpo_peer_id}/sync")).status_code == 409


async def test_unknown_peer_is_404(admin_cpo: Admin):
    for r in (
        await admin_cpo.get("/peers/99"),
        await admin_cpo.post("/peers/99/update"),
        await admin_cpo.delete("/peers/99"),
        await admin_cpo.post("/peers/99/sync"),
    ):
        assert r.status_code == 404
        assert "99" in r.json()["detail"]


async def test_register_with_a_wrong_token_is_502_and_stores_nothing(
    admin_cpo: Admin, admin_emsp: Admin
):
    r = await admin_emsp.post(
        "/peers", {"versions_url": admin_cpo.node.versions_url, "token": "not-a-token"}
    )
    assert r.status_code == 502
    assert "register" in r.json()["detail"]
    assert (await admin_emsp.get("/peers", params={"include_unregistered": True})).json() == []


async def test_register_needs_a_url_and_a_token(admin_emsp: Admin):
    r = await admin_emsp.post("/peers", {"versions_url": "ftp://x", "token": "t"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "versions_url"]
    r = await admin_emsp.post("/peers", {"versions_url": "http://127.0.0.1:1/ocpi/versions"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "token"]


async def test_sync_pulls_the_peers_locations(admin_pair: AdminPair):
    cpo, emsp = admin_pair.cpo, admin_pair.emsp
    r = await cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))
    assert r.status_code == 201
    sync = await emsp.post(
        f"/peers/{admin_pair.cpo_peer_id}/sync", {"module": "locations", "full": True}
    )
    assert sync.status_code == 200, sync.text
    [report] = sync.json()["reports"]
    assert report["module"] == "locations" and report["full"] is True
    assert report["new"] + report["unchanged"] + report["updated"] == 1
    everything = await emsp.post(f"/peers/{admin_pair.cpo_peer_id}/sync")
    assert everything.status_code == 200
    assert {r["module"] for r in everything.json()["reports"]} >= {"locations", "tariffs"}
    received = (await emsp.get("/objects/locations", params={"source": "received"})).json()
    assert [o["object_id"] for o in received["items"]] == ["LOC1"]


async def test_sync_of_an_unknown_module_is_422(admin_pair: AdminPair):
    r = await admin_pair.emsp.post(f"/peers/{admin_pair.cpo_peer_id}/sync", {"module": "cars"})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("module:")
    # the CPO offers no tokens Sender
    r = await admin_pair.emsp.post(f"/peers/{admin_pair.cpo_peer_id}/sync", {"module": "tokens"})
    assert r.status_code == 422


async def test_operator_api_without_admin_token_stays_disabled(databases: Databases):
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")]) as node:
        r = await node.client.get("/api/peers", headers={"Authorization": "Bearer x"})
        assert r.status_code == 503


async def test_pushes_reach_the_registered_peer(admin_pair: AdminPair):
    """A location saved through the API is pushed to the eMSP, which reports an event."""
    r = await admin_pair.cpo.put("/locations/NL/CPO/LOC9", factories.location("LOC9"))
    assert r.status_code == 201

    async def received():
        page = await admin_pair.emsp.get("/objects/locations", params={"source": "received"})
        return page.json()["items"]

    [loc] = await eventually(received)
    assert loc["object_id"] == "LOC9" and loc["peer_id"] == admin_pair.cpo_peer_id
    events = (await admin_pair.emsp.get("/events", params={"kind": "location.*"})).json()
    assert [e["kind"] for e in events["events"]] == ["location.created"]
