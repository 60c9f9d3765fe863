"""Locations, Sender and Receiver, through real HTTP and a real database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from ocpikit.modules.locations import service
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.storage.objects import ObjectKey, ObjectStore
from tests import factories
from tests.support import Pair, RunningNode

SENDER = "/ocpi/2.2.1/sender/locations"
RECEIVER = "/ocpi/2.2.1/receiver/locations"


async def seed(node: RunningNode, count: int, **kwargs) -> None:
    for i in range(count):
        loc = factories.location(
            f"LOC{i:03d}", last_updated=f"2026-01-{1 + i % 28:02d}T00:00:00Z", **kwargs
        )
        await service.save_local(node.db, Location.model_validate(loc))


async def stored(node: RunningNode, lid: str, cc: str = "NL", pid: str = "CPO") -> dict | None:
    async with node.db.connect() as conn:
        obj = await ObjectStore(conn).get(ObjectKey("locations", cc, pid, lid))
    return obj.parsed() if obj else None


async def wait_for(predicate: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Until ``predicate()`` holds (the nodes' push workers deliver in the background)."""
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


# ---- Sender -------------------------------------------------------------------------------


async def test_version_details_list_locations_by_role(pair: Pair):
    r = await pair.cpo.client.get("/ocpi/2.2.1", headers=pair.cpo.auth(pair.to_cpo))
    assert {
        "identifier": "locations",
        "role": "SENDER",
        "url": f"{pair.cpo.url}{SENDER}",
    } in r.json()["data"]["endpoints"]
    r = await pair.emsp.client.get("/ocpi/2.2.1", headers=pair.emsp.auth(pair.to_emsp))
    assert {
        "identifier": "locations",
        "role": "RECEIVER",
        "url": f"{pair.emsp.url}{RECEIVER}",
    } in r.json()["data"]["endpoints"]


async def test_sender_pages_follow_links_to_every_location(pair: Pair):
    await seed(pair.cpo, 7)
    url, seen = f"{SENDER}?limit=3", []
    while url:
        r = await pair.cpo.client.get(url, headers=pair.cpo_headers())
        assert r.status_code == 200 and r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "7"
        assert r.headers["X-Limit"] == "3"
        seen += [loc["id"] for loc in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == [f"LOC{i:03d}" for i in range(7)]


async def test_sender_date_filters_are_inclusive_from_and_exclusive_to(pair: Pair):
    await seed(pair.cpo, 5)  # last_updated 2026-01-01 .. 2026-01-05
    r = await pair.cpo.client.get(
        f"{SENDER}?date_from=2026-01-02T00:00:00Z&date_to=2026-01-04T00:00:00Z",
        headers=pair.cpo_headers(),
    )
    assert [loc["id"] for loc in r.json()["data"]] == ["LOC001", "LOC002"]
    assert r.headers["X-Total-Count"] == "2"


async def test_sender_get_location_evse_and_connector(pair: Pair):
    await seed(pair.cpo, 1)
    h = pair.cpo_headers()
    r = await pair.cpo.client.get(f"{SENDER}/LOC000", headers=h)
    assert r.json()["data"]["id"] == "LOC000"
    assert r.headers["OCPI-to-party-id"] == "MSP"
    r = await pair.cpo.client.get(f"{SENDER}/loc000/LOC000-2", headers=h)
    assert r.json()["data"]["uid"] == "LOC000-2"
    r = await pair.cpo.client.get(f"{SENDER}/LOC000/LOC000-2/1", headers=h)
    assert r.json()["data"]["standard"] == "IEC_62196_T2"


@pytest.mark.parametrize("path", ["/NOPE", "/LOC000/NOPE", "/LOC000/LOC000-1/9"])
async def test_sender_unknown_object_is_404(pair: Pair, path: str):
    await seed(pair.cpo, 1)
    r = await pair.cpo.client.get(f"{SENDER}{path}", headers=pair.cpo_headers())
    assert r.status_code == 404
    assert r.json()["status_code"] == 2000


UNPUBLISHED = [
    pytest.param({}, id="uc3-no-publish_allowed_to"),
    pytest.param(
        {"publish_allowed_to": [{"visual_number": "0123456-99", "issuer": "MoveMove"}]},
        id="uc5-publish_allowed_to",
    ),
]


@pytest.mark.parametrize("extra", UNPUBLISHED)
async def test_unpublished_locations_are_listed_and_served_to_peers(pair: Pair, extra: dict):
    # publish=false is about apps and websites (LOC-07), not OCPI: the eMSP's helpdesk and
    # the owners of the tokens in publish_allowed_to need the location (UC3, UC4, UC5).
    await seed(pair.cpo, 1)
    loc = factories.location("HIDDEN", publish=False, **extra)
    await service.save_local(pair.cpo.db, Location.model_validate(loc))
    h = pair.cpo_headers()
    r = await pair.cpo.client.get(SENDER, headers=h)
    assert r.json()["status_code"] == 1000
    assert r.headers["X-Total-Count"] == "2"
    [listed] = [d for d in r.json()["data"] if d["id"] == "HIDDEN"]
    assert listed["publish"] is False
    assert listed.get("publish_allowed_to") == extra.get("publish_allowed_to")
    r = await pair.cpo.client.get(f"{SENDER}/hidden", headers=h)
    assert r.status_code == 200 and r.json()["data"] == listed
    r = await pair.cpo.client.get(f"{SENDER}/HIDDEN/HIDDEN-2", headers=h)
    assert r.status_code == 200 and r.json()["data"]["uid"] == "HIDDEN-2"
    r = await pair.cpo.client.get(f"{SENDER}/HIDDEN/HIDDEN-2/1", headers=h)
    assert r.status_code == 200 and r.json()["data"]["id"] == "1"


@pytest.mark.parametrize("extra", UNPUBLISHED)
async def test_unpublished_locations_are_pushed_to_the_emsp(pair: Pair, extra: dict):
    loc = factories.location("HIDDEN", publish=False, **extra)
    await service.save_local(pair.cpo.db, Location.model_validate(loc))
    key = ObjectKey("locations", "NL", "CPO", "HIDDEN")
    patch = EvsePatch.model_validate({"status": "CHARGING", "last_updated": "2026-02-01T00:00:00Z"})
    await service.patch_local_evse(pair.cpo.db, key, "HIDDEN-1", patch)

    async def arrived() -> bool:
        got = await stored(pair.emsp, "HIDDEN")
        return got is not None and got["evses"][0]["status"] == "CHARGING"

    await wait_for(arrived)  # the PUT, then the EVSE PATCH
    got = await stored(pair.emsp, "HIDDEN")
    assert got is not None and got["publish"] is False
    assert got.get("publish_allowed_to") == extra.get("publish_allowed_to")
    assert got["last_updated"] == "2026-02-01T00:00:00Z"


async def test_sender_rejects_token_a_and_unknown_tokens(pair: Pair):
    r = await pair.cpo.client.get(SENDER, headers=pair.cpo.auth(await pair.cpo.token_a()))
    assert r.status_code == 401
    r = await pair.cpo.client.get(SENDER)
    assert r.status_code == 401


# ---- Receiver -----------------------------------------------------------------------------


async def test_receiver_put_creates_then_replaces(pair: Pair):
    loc = factories.location("L1")
    url = f"{RECEIVER}/NL/CPO/L1"
    r = await pair.emsp.client.put(url, json=loc, headers=pair.emsp_headers())
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    loc2 = factories.location("L1", name="Renamed", last_updated="2026-02-01T00:00:00Z")
    r = await pair.emsp.client.put(url, json=loc2, headers=pair.emsp_headers())
    assert r.status_code == 200
    r = await pair.emsp.client.get(url, headers=pair.emsp_headers())
    assert r.json()["data"]["name"] == "Renamed"


async def test_receiver_put_evse_adds_it_and_bumps_the_location(pair: Pair):
    await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/L1", json=factories.location("L1"), headers=pair.emsp_headers()
    )
    new = factories.evse("NEW", last_updated="2026-03-01T10:00:00Z")
    r = await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/L1/NEW", json=new, headers=pair.emsp_headers()
    )
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000
    loc = await stored(pair.emsp, "L1")
    assert loc is not None
    assert [e["uid"] for e in loc["evses"]] == ["L1-1", "L1-2", "NEW"]
    assert loc["last_updated"] == "2026-03-01T10:00:00Z"


async def test_receiver_patch_evse_status_updates_parent_last_updated(pair: Pair):
    await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/L1", json=factories.location("L1"), headers=pair.emsp_headers()
    )
    patch = {"status": "CHARGING", "last_updated": "2026-03-02T08:00:00Z"}
    r = await pair.emsp.client.patch(
        f"{RECEIVER}/NL/CPO/L1/L1-2", json=patch, headers=pair.emsp_headers()
    )
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    loc = await stored(pair.emsp, "L1")
    assert loc is not None
    evse = next(e for e in loc["evses"] if e["uid"] == "L1-2")
    assert evse["status"] == "CHARGING"
    assert evse["last_updated"] == loc["last_updated"] == "2026-03-02T08:00:00Z"
    assert evse["connectors"][0]["max_voltage"] == 230  # untouched fields stay


async def test_receiver_patch_connector_bumps_evse_and_location(pair: Pair):
    await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/L1", json=factories.location("L1"), headers=pair.emsp_headers()
    )
    patch = {"tariff_ids": ["T9"], "last_updated": "2026-04-01T00:00:00Z"}
    r = await pair.emsp.client.patch(
        f"{RECEIVER}/NL/CPO/L1/L1-1/1", json=patch, headers=pair.emsp_headers()
    )
    assert r.json()["status_code"] == 1000
    loc = await stored(pair.emsp, "L1")
    assert loc is not None
    evse = loc["evses"][0]
    assert evse["connectors"][0]["tariff_ids"] == ["T9"]
    assert evse["last_updated"] == loc["last_updated"] == "2026-04-01T00:00:00Z"


async def test_older_update_is_accepted_but_keeps_the_newer_data(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/L1"
    await pair.emsp.client.put(
        url,
        json=factories.location("L1", last_updated="2026-05-01T00:00:00Z"),
        headers=pair.emsp_headers(),
    )
    old = factories.location("L1", name="Old", last_updated="2026-04-01T00:00:00Z")
    r = await pair.emsp.client.put(url, json=old, headers=pair.emsp_headers())
    assert r.json()["status_code"] == 1000
    r = await pair.emsp.client.patch(
        f"{url}/L1-1",
        json={"status": "BLOCKED", "last_updated": "2026-01-01T00:00:00Z"},
        headers=pair.emsp_headers(),
    )
    assert r.json()["status_code"] == 1000
    loc = await stored(pair.emsp, "L1")
    assert (
        loc is not None and loc["name"] == "Station L1" and loc["evses"][0]["status"] == "AVAILABLE"
    )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/NL/CPO/L1/L1-1", {"status": "CHARGING"}, "last_updated"),
        (
            "/NL/CPO/L1/L1-1",
            {"status": "SLEEPING", "last_updated": "2026-06-01T00:00:00Z"},
            "status",
        ),
        ("/NL/CPO/L1", {"name": "x" * 256, "last_updated": "2026-06-01T00:00:00Z"}, "name"),
        ("/NL/CPO/L1", {"id": "OTHER", "last_updated": "2026-06-01T00:00:00Z"}, "id"),
        (
            "/NL/CPO/L1/L1-1/1",
            {"max_voltage": "230V", "last_updated": "2026-06-01T00:00:00Z"},
            "max_voltage",
        ),
    ],
)
async def test_bad_patch_is_2001_naming_the_field_and_stores_nothing(
    pair: Pair, path: str, body: dict, field: str
):
    await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/L1", json=factories.location("L1"), headers=pair.emsp_headers()
    )
    before = await stored(pair.emsp, "L1")
    r = await pair.emsp.client.patch(f"{RECEIVER}{path}", json=body, headers=pair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001
    assert field in r.json()["status_message"]
    assert await stored(pair.emsp, "L1") == before


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda loc: loc.pop("coordinates"), "coordinates"),
        (lambda loc: loc.update(address="x" * 256), "address"),
        (lambda loc: loc.update(id="OTHER"), "id"),
        (lambda loc: loc.update(party_id="ABC"), "party_id"),
        (lambda loc: loc["evses"][0].update(status="WHATEVER"), "evses.0.status"),
        (lambda loc: loc["evses"][0].update(connectors=[]), "evses.0.connectors"),
        (lambda loc: loc.update(name="tab\\there"), "name"),
    ],
)
async def test_bad_put_is_2001_naming_the_field(pair: Pair, mutate, field: str):
    loc = factories.location("L1")
    mutate(loc)
    if loc["name"] == "tab\\there":
        loc["name"] = "tab\there"
    r = await pair.emsp.client.put(f"{RECEIVER}/NL/CPO/L1", json=loc, headers=pair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(pair.emsp, "L1") is None


async def test_patch_of_an_unknown_location_is_404(pair: Pair):
    r = await pair.emsp.client.patch(
        f"{RECEIVER}/NL/CPO/NOPE/E1",
        json={"status": "CHARGING", "last_updated": "2026-01-01T00:00:00Z"},
        headers=pair.emsp_headers(),
    )
    assert r.status_code == 404
    assert r.json()["status_code"] == 2003


async def test_peer_cannot_write_or_read_under_another_party(pair: Pair):
    loc = factories.location("L1", cc="FR", pid="XXX")
    r = await pair.emsp.client.put(f"{RECEIVER}/FR/XXX/L1", json=loc, headers=pair.emsp_headers())
    assert r.status_code == 404
    assert await stored(pair.emsp, "L1", "FR", "XXX") is None
    r = await pair.emsp.client.get(f"{RECEIVER}/FR/XXX/L1", headers=pair.emsp_headers())
    assert r.status_code == 404


async def test_peer_cannot_write_under_the_nodes_own_party(pair: Pair):
    loc = factories.location("L1", cc="DE", pid="MSP")
    r = await pair.emsp.client.put(f"{RECEIVER}/DE/MSP/L1", json=loc, headers=pair.emsp_headers())
    assert r.status_code == 404
    assert await stored(pair.emsp, "L1", "DE", "MSP") is None


async def test_receiver_non_json_body_is_400(pair: Pair):
    r = await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/L1",
        content=b"<xml/>",
        headers={**pair.emsp_headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
