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

# Every test runs in each version (``vpair``) unless marked; a difference is asserted per version.


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


def sender(pair: Pair) -> str:
    return pair.cpo_url("locations", "SENDER")


def receiver(pair: Pair) -> str:
    return pair.emsp_url("locations", "RECEIVER")


async def test_version_details_list_locations_by_role(vpair: Pair):
    cpo_side = {
        "identifier": "locations",
        "role": "SENDER",
        "url": f"{vpair.cpo.url}{sender(vpair)}",
    }
    emsp_side = {
        "identifier": "locations",
        "role": "RECEIVER",
        "url": f"{vpair.emsp.url}{receiver(vpair)}",
    }
    if not vpair.profile.endpoints_have_role:  # 2.1.1: the party's role says which it is
        del cpo_side["role"], emsp_side["role"]
    r = await vpair.cpo.client.get(vpair.cpo_details(), headers=vpair.cpo_headers())
    assert cpo_side in r.json()["data"]["endpoints"]
    r = await vpair.emsp.client.get(vpair.emsp_details(), headers=vpair.emsp_headers())
    assert emsp_side in r.json()["data"]["endpoints"]


async def test_sender_pages_follow_links_to_every_location(vpair: Pair):
    await seed(vpair.cpo, 7)
    url, seen = f"{sender(vpair)}?limit=3", []
    while url:
        r = await vpair.cpo.client.get(url, headers=vpair.cpo_headers())
        assert r.status_code == 200 and r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "7"
        assert r.headers["X-Limit"] == "3"
        seen += [loc["id"] for loc in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == [f"LOC{i:03d}" for i in range(7)]


async def test_sender_date_filters_are_inclusive_from_and_exclusive_to(vpair: Pair):
    await seed(vpair.cpo, 5)  # last_updated 2026-01-01 .. 2026-01-05
    r = await vpair.cpo.client.get(
        f"{sender(vpair)}?date_from=2026-01-02T00:00:00Z&date_to=2026-01-04T00:00:00Z",
        headers=vpair.cpo_headers(),
    )
    assert [loc["id"] for loc in r.json()["data"]] == ["LOC001", "LOC002"]
    assert r.headers["X-Total-Count"] == "2"


async def test_sender_get_location_evse_and_connector(vpair: Pair):
    await seed(vpair.cpo, 1)
    h, url = vpair.cpo_headers(), sender(vpair)
    r = await vpair.cpo.client.get(f"{url}/LOC000", headers=h)
    assert r.json()["data"]["id"] == "LOC000"
    if vpair.profile.routing_headers:
        assert r.headers["OCPI-to-party-id"] == "MSP"
    else:
        assert "OCPI-to-party-id" not in r.headers
    r = await vpair.cpo.client.get(f"{url}/loc000/LOC000-2", headers=h)
    assert r.json()["data"]["uid"] == "LOC000-2"
    r = await vpair.cpo.client.get(f"{url}/LOC000/LOC000-2/1", headers=h)
    assert r.json()["data"]["standard"] == "IEC_62196_T2"


@pytest.mark.parametrize("path", ["/NOPE", "/LOC000/NOPE", "/LOC000/LOC000-1/9"])
async def test_sender_unknown_object_is_404(vpair: Pair, path: str):
    await seed(vpair.cpo, 1)
    r = await vpair.cpo.client.get(f"{sender(vpair)}{path}", headers=vpair.cpo_headers())
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
async def test_unpublished_locations_are_listed_and_served_to_peers(vpair: Pair, extra: dict):
    # publish=false is about apps and websites (LOC-07), not OCPI: the eMSP's helpdesk and
    # the owners of the tokens in publish_allowed_to need the location (UC3, UC4, UC5).
    await seed(vpair.cpo, 1)
    loc = factories.location("HIDDEN", publish=False, **extra)
    await service.save_local(vpair.cpo.db, Location.model_validate(loc))
    h, url = vpair.cpo_headers(), sender(vpair)
    r = await vpair.cpo.client.get(url, headers=h)
    assert r.json()["status_code"] == 1000
    if vpair.version == "2.1.1":
        # 2.1.1 has no publish flag to honour: an unpublished location is not exchanged.
        assert r.headers["X-Total-Count"] == "1"
        assert [d["id"] for d in r.json()["data"]] != ["HIDDEN"]
        assert (await vpair.cpo.client.get(f"{url}/HIDDEN", headers=h)).status_code == 404
        return
    assert r.headers["X-Total-Count"] == "2"
    [listed] = [d for d in r.json()["data"] if d["id"] == "HIDDEN"]
    assert listed["publish"] is False
    assert listed.get("publish_allowed_to") == extra.get("publish_allowed_to")
    r = await vpair.cpo.client.get(f"{url}/hidden", headers=h)
    assert r.status_code == 200 and r.json()["data"] == listed
    r = await vpair.cpo.client.get(f"{url}/HIDDEN/HIDDEN-2", headers=h)
    assert r.status_code == 200 and r.json()["data"]["uid"] == "HIDDEN-2"
    r = await vpair.cpo.client.get(f"{url}/HIDDEN/HIDDEN-2/1", headers=h)
    assert r.status_code == 200 and r.json()["data"]["id"] == "1"


@pytest.mark.parametrize("extra", UNPUBLISHED)
async def test_unpublished_locations_are_pushed_to_the_emsp(vpair: Pair, extra: dict):
    loc = factories.location("HIDDEN", publish=False, **extra)
    await service.save_local(vpair.cpo.db, Location.model_validate(loc))
    key = ObjectKey("locations", "NL", "CPO", "HIDDEN")
    patch = EvsePatch.model_validate({"status": "CHARGING", "last_updated": "2026-02-01T00:00:00Z"})
    await service.patch_local_evse(vpair.cpo.db, key, "HIDDEN-1", patch)
    if vpair.version == "2.1.1":
        # 2.1.1 has no publish flag a receiver could honour: an unpublished location is never
        # sent to a 2.1.1 peer (its PATCH finds nothing there, and the repairing PUT has no
        # 2.1.1 form either). A published one sent after it arrives: nothing is stuck.
        await service.save_local(vpair.cpo.db, Location.model_validate(factories.location("SEEN")))
        await wait_for(lambda: _present(vpair.emsp, "SEEN"))
        assert await stored(vpair.emsp, "HIDDEN") is None
        return

    async def arrived() -> bool:
        got = await stored(vpair.emsp, "HIDDEN")
        return got is not None and got["evses"][0]["status"] == "CHARGING"

    await wait_for(arrived)  # the PUT, then the EVSE PATCH
    got = await stored(vpair.emsp, "HIDDEN")
    assert got is not None and got["publish"] is False
    assert got.get("publish_allowed_to") == extra.get("publish_allowed_to")
    assert got["last_updated"] == "2026-02-01T00:00:00Z"


async def _present(node: RunningNode, lid: str) -> bool:
    return await stored(node, lid) is not None


async def test_sender_rejects_token_a_and_unknown_tokens(vpair: Pair):
    token_a = vpair.cpo.auth(await vpair.cpo.token_a(), vpair.profile.token_encoding)
    r = await vpair.cpo.client.get(sender(vpair), headers=token_a)
    assert r.status_code == 401
    r = await vpair.cpo.client.get(sender(vpair))
    assert r.status_code == 401


# ---- Receiver -----------------------------------------------------------------------------


async def put_location(pair: Pair, loc: dict, cc: str = "NL", pid: str = "CPO"):
    """PUT a factory Location, in the pair's version, to the eMSP's Receiver."""
    return await pair.emsp.client.put(
        f"{receiver(pair)}/{cc}/{pid}/{loc['id']}",
        json=pair.wire("locations", loc),
        headers=pair.emsp_headers(),
    )


async def test_receiver_put_creates_then_replaces(vpair: Pair):
    url = f"{receiver(vpair)}/NL/CPO/L1"
    r = await put_location(vpair, factories.location("L1"))
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    loc2 = factories.location("L1", name="Renamed", last_updated="2026-02-01T00:00:00Z")
    r = await put_location(vpair, loc2)
    assert r.status_code == 200
    r = await vpair.emsp.client.get(url, headers=vpair.emsp_headers())
    assert r.json()["data"]["name"] == "Renamed"


async def test_receiver_put_evse_adds_it_and_bumps_the_location(vpair: Pair):
    await put_location(vpair, factories.location("L1"))
    new = factories.evse("NEW", last_updated="2026-03-01T10:00:00Z")
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/L1/NEW",
        json=vpair.wire("locations", new, part="evse"),
        headers=vpair.emsp_headers(),
    )
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000
    loc = await stored(vpair.emsp, "L1")
    assert loc is not None
    assert [e["uid"] for e in loc["evses"]] == ["L1-1", "L1-2", "NEW"]
    assert loc["last_updated"] == "2026-03-01T10:00:00Z"


async def patch_location(pair: Pair, path: str, patch: dict, part: str):
    """PATCH a domain patch, in the pair's version, to the eMSP's Receiver."""
    return await pair.emsp.client.patch(
        f"{receiver(pair)}{path}",
        json=pair.wire("locations", patch, part=part, patch=True),
        headers=pair.emsp_headers(),
    )


async def test_receiver_patch_evse_status_updates_parent_last_updated(vpair: Pair):
    await put_location(vpair, factories.location("L1"))
    patch = {"status": "CHARGING", "last_updated": "2026-03-02T08:00:00Z"}
    r = await patch_location(vpair, "/NL/CPO/L1/L1-2", patch, "evse")
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    loc = await stored(vpair.emsp, "L1")
    assert loc is not None
    evse = next(e for e in loc["evses"] if e["uid"] == "L1-2")
    assert evse["status"] == "CHARGING"
    assert evse["last_updated"] == loc["last_updated"] == "2026-03-02T08:00:00Z"
    assert evse["connectors"][0]["max_voltage"] == 230  # untouched fields stay


async def test_receiver_patch_connector_bumps_evse_and_location(vpair: Pair):
    await put_location(vpair, factories.location("L1"))
    patch = {"tariff_ids": ["T9"], "last_updated": "2026-04-01T00:00:00Z"}
    r = await patch_location(vpair, "/NL/CPO/L1/L1-1/1", patch, "connector")
    assert r.json()["status_code"] == 1000
    loc = await stored(vpair.emsp, "L1")
    assert loc is not None
    evse = loc["evses"][0]
    assert evse["connectors"][0]["tariff_ids"] == ["T9"]
    assert evse["last_updated"] == loc["last_updated"] == "2026-04-01T00:00:00Z"


async def test_older_update_is_accepted_but_keeps_the_newer_data(vpair: Pair):
    await put_location(vpair, factories.location("L1", last_updated="2026-05-01T00:00:00Z"))
    old = factories.location("L1", name="Old", last_updated="2026-04-01T00:00:00Z")
    r = await put_location(vpair, old)
    assert r.json()["status_code"] == 1000
    patch = {"status": "BLOCKED", "last_updated": "2026-01-01T00:00:00Z"}
    r = await patch_location(vpair, "/NL/CPO/L1/L1-1", patch, "evse")
    assert r.json()["status_code"] == 1000
    loc = await stored(vpair.emsp, "L1")
    assert (
        loc is not None and loc["name"] == "Station L1" and loc["evses"][0]["status"] == "AVAILABLE"
    )


async def test_patch_without_last_updated(vpair: Pair):
    """2.2.1 requires last_updated in a PATCH (2001); 2.1.1 does not: stamped on receipt."""
    await put_location(vpair, factories.location("L1"))
    before = await stored(vpair.emsp, "L1")
    r = await vpair.emsp.client.patch(
        f"{receiver(vpair)}/NL/CPO/L1/L1-1",
        json={"status": "CHARGING"},
        headers=vpair.emsp_headers(),
    )
    assert r.status_code == 200
    after = await stored(vpair.emsp, "L1")
    assert before is not None and after is not None
    if vpair.version == "2.1.1":
        assert r.json()["status_code"] == 1000, r.text
        assert after["evses"][0]["status"] == "CHARGING"
        assert after["last_updated"] > before["last_updated"]
    else:
        assert r.json()["status_code"] == 2001
        assert "last_updated" in r.json()["status_message"]
        assert after == before


# (path, PATCH body as sent, the field the 2001 names). Written in the wire form, not rendered:
# the mappings make what they send valid (a name cut to 255 characters). 2.1.1 calls the
# Connector's max_voltage ``voltage`` (RENAMED_211).
BAD_PATCHES = [
    ("/NL/CPO/L1/L1-1", {"status": "SLEEPING", "last_updated": "2026-06-01T00:00:00Z"}, "status"),
    ("/NL/CPO/L1", {"name": "x" * 256, "last_updated": "2026-06-01T00:00:00Z"}, "name"),
    ("/NL/CPO/L1", {"id": "OTHER", "last_updated": "2026-06-01T00:00:00Z"}, "id"),
    (
        "/NL/CPO/L1/L1-1/1",
        {"max_voltage": "230V", "last_updated": "2026-06-01T00:00:00Z"},
        "max_voltage",
    ),
]
RENAMED_211 = {"max_voltage": "voltage"}


@pytest.mark.parametrize(("path", "body", "field"), BAD_PATCHES)
async def test_bad_patch_is_2001_naming_the_field_and_stores_nothing(
    vpair: Pair, path: str, body: dict, field: str
):
    if vpair.version == "2.1.1":
        body = {RENAMED_211.get(k, k): v for k, v in body.items()}
        field = RENAMED_211.get(field, field)
    await put_location(vpair, factories.location("L1"))
    before = await stored(vpair.emsp, "L1")
    r = await vpair.emsp.client.patch(
        f"{receiver(vpair)}{path}", json=body, headers=vpair.emsp_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001
    assert field in r.json()["status_message"]
    assert await stored(vpair.emsp, "L1") == before


# Mutations of the wire form; the field the 2001 names is the same in both versions.
BAD_PUTS = [
    (lambda loc: loc.pop("coordinates"), "coordinates"),
    (lambda loc: loc.update(address="x" * 256), "address"),
    (lambda loc: loc.update(id="OTHER"), "id"),
    (lambda loc: loc["evses"][0].update(status="WHATEVER"), "evses.0.status"),
    (lambda loc: loc["evses"][0].update(connectors=[]), "evses.0.connectors"),
    (lambda loc: loc.update(name="tab\\there"), "name"),
]


@pytest.mark.parametrize(("mutate", "field"), BAD_PUTS)
async def test_bad_put_is_2001_naming_the_field(vpair: Pair, mutate, field: str):
    loc = vpair.wire("locations", factories.location("L1"))
    mutate(loc)
    if loc["name"] == "tab\\there":
        loc["name"] = "tab\there"
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/L1", json=loc, headers=vpair.emsp_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(vpair.emsp, "L1") is None


async def test_put_naming_another_party_in_the_body(vpair: Pair):
    """2.2.1: a body party other than the URL's is 2001. 2.1.1 bodies name no party: the
    URL's owns the Location whatever unknown field the body carries."""
    loc = {**vpair.wire("locations", factories.location("L1")), "party_id": "ABC"}
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/L1", json=loc, headers=vpair.emsp_headers()
    )
    assert r.status_code in (200, 201)
    if vpair.version == "2.1.1":
        assert r.json()["status_code"] == 1000, r.json()
        got = await stored(vpair.emsp, "L1")
        assert got is not None and got["party_id"] == "CPO"
        assert await stored(vpair.emsp, "L1", "NL", "ABC") is None
    else:
        assert r.json()["status_code"] == 2001, r.json()
        assert "party_id" in r.json()["status_message"]
        assert await stored(vpair.emsp, "L1") is None


async def test_patch_of_an_unknown_location_is_404(vpair: Pair):
    patch = {"status": "CHARGING", "last_updated": "2026-01-01T00:00:00Z"}
    r = await patch_location(vpair, "/NL/CPO/NOPE/E1", patch, "evse")
    assert r.status_code == 404
    assert r.json()["status_code"] == 2003


async def test_peer_cannot_write_or_read_under_another_party(vpair: Pair):
    r = await put_location(vpair, factories.location("L1", cc="FR", pid="XXX"), "FR", "XXX")
    assert r.status_code == 404
    assert await stored(vpair.emsp, "L1", "FR", "XXX") is None
    r = await vpair.emsp.client.get(f"{receiver(vpair)}/FR/XXX/L1", headers=vpair.emsp_headers())
    assert r.status_code == 404


async def test_peer_cannot_write_under_the_nodes_own_party(vpair: Pair):
    r = await put_location(vpair, factories.location("L1", cc="DE", pid="MSP"), "DE", "MSP")
    assert r.status_code == 404
    assert await stored(vpair.emsp, "L1", "DE", "MSP") is None


async def test_receiver_non_json_body_is_400(vpair: Pair):
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/L1",
        content=b"<xml/>",
        headers={**vpair.emsp_headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
