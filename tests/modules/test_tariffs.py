"""Tariffs, Sender and Receiver, through real HTTP and a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ocpikit.modules.tariffs import service
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.schema import outbox
from tests import factories
from tests.support import Pair, RunningNode

SENDER = "/ocpi/2.2.1/sender/tariffs"
RECEIVER = "/ocpi/2.2.1/receiver/tariffs"


async def seed(node: RunningNode, count: int) -> None:
    for i in range(count):
        t = factories.tariff(f"T{i:03d}", last_updated=f"2026-01-{1 + i % 28:02d}T00:00:00Z")
        await service.save_local(node.db, Tariff.model_validate(t))


async def stored(node: RunningNode, tid: str, cc: str = "NL", pid: str = "CPO") -> dict | None:
    async with node.db.connect() as conn:
        obj = await ObjectStore(conn).get(ObjectKey("tariffs", cc, pid, tid))
    return obj.parsed() if obj else None


async def outbox_rows(node: RunningNode) -> list:
    async with node.db.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


# ---- Sender -------------------------------------------------------------------------------


async def test_version_details_list_tariffs_by_role(pair: Pair):
    r = await pair.cpo.client.get("/ocpi/2.2.1", headers=pair.cpo.auth(pair.to_cpo))
    endpoints = r.json()["data"]["endpoints"]
    assert {"identifier": "tariffs", "role": "SENDER", "url": f"{pair.cpo.url}{SENDER}"} in (
        endpoints
    )
    assert not any(e["identifier"] == "tariffs" and e["role"] == "RECEIVER" for e in endpoints)
    r = await pair.emsp.client.get("/ocpi/2.2.1", headers=pair.emsp.auth(pair.to_emsp))
    assert {
        "identifier": "tariffs",
        "role": "RECEIVER",
        "url": f"{pair.emsp.url}{RECEIVER}",
    } in r.json()["data"]["endpoints"]


async def test_sender_pages_follow_links_to_every_tariff(pair: Pair):
    await seed(pair.cpo, 5)
    url, seen = f"{SENDER}?limit=2", []
    while url:
        r = await pair.cpo.client.get(url, headers=pair.cpo_headers())
        assert r.status_code == 200 and r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "5"
        assert r.headers["X-Limit"] == "2"
        assert r.headers["OCPI-to-party-id"] == "MSP"
        seen += [t["id"] for t in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == [f"T{i:03d}" for i in range(5)]


async def test_sender_date_filters_are_inclusive_from_and_exclusive_to(pair: Pair):
    await seed(pair.cpo, 5)  # last_updated 2026-01-01 .. 2026-01-05
    r = await pair.cpo.client.get(
        f"{SENDER}?date_from=2026-01-02T00:00:00Z&date_to=2026-01-04T00:00:00Z",
        headers=pair.cpo_headers(),
    )
    assert [t["id"] for t in r.json()["data"]] == ["T001", "T002"]
    assert r.headers["X-Total-Count"] == "2"


async def test_sender_serves_tariffs_as_stored_with_numbers(pair: Pair):
    await seed(pair.cpo, 1)
    r = await pair.cpo.client.get(SENDER, headers=pair.cpo_headers())
    [tariff] = r.json()["data"]
    assert tariff["elements"][1]["price_components"][0] == {
        "type": "ENERGY",
        "price": 0.25,
        "vat": 21,
        "step_size": 1,
    }


async def test_sender_lists_no_received_tariffs_and_has_no_single_get(pair: Pair):
    await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/T1", json=factories.tariff("T1"), headers=pair.emsp_headers()
    )
    await seed(pair.cpo, 1)
    r = await pair.cpo.client.get(f"{SENDER}/T000", headers=pair.cpo_headers())
    assert r.status_code == 404
    # The eMSP holds a received tariff but offers no Tariffs Sender interface.
    r = await pair.emsp.client.get(SENDER, headers=pair.emsp_headers())
    assert r.status_code == 404


async def test_sender_rejects_token_a_and_missing_tokens(pair: Pair):
    r = await pair.cpo.client.get(SENDER, headers=pair.cpo.auth(await pair.cpo.token_a()))
    assert r.status_code == 401
    r = await pair.cpo.client.get(SENDER)
    assert r.status_code == 401


# ---- Local writes queue pushes ------------------------------------------------------------


async def test_save_local_queues_a_put_for_the_registered_emsp(pair: Pair):
    await seed(pair.cpo, 1)
    [row] = await outbox_rows(pair.cpo)
    assert (row.method, row.path, row.module) == ("PUT", "/NL/CPO/T000", "tariffs")
    assert (row.to_country_code, row.to_party_id) == ("DE", "MSP")
    assert '"id":"T000"' in row.body


async def test_stale_local_save_is_neither_stored_nor_pushed(pair: Pair):
    newer = factories.tariff("T1", last_updated="2026-02-01T00:00:00Z")
    await service.save_local(pair.cpo.db, Tariff.model_validate(newer))
    older = factories.tariff("T1", currency="USD", last_updated="2026-01-01T00:00:00Z")
    result = await service.save_local(pair.cpo.db, Tariff.model_validate(older))
    assert result.outcome == "stale"
    assert len(await outbox_rows(pair.cpo)) == 1
    t = await stored(pair.cpo, "T1")
    assert t is not None and t["currency"] == "EUR"


async def test_delete_local_removes_and_queues_a_delete(pair: Pair):
    await seed(pair.cpo, 1)
    key = service.key_of("NL", "CPO", "t000")
    assert await service.delete_local(pair.cpo.db, key) is True
    assert await stored(pair.cpo, "T000") is None
    rows = await outbox_rows(pair.cpo)
    assert [(r.method, r.path, r.body) for r in rows][-1] == ("DELETE", "/NL/CPO/T000", None)
    assert await service.delete_local(pair.cpo.db, key) is False
    assert len(await outbox_rows(pair.cpo)) == 2


# ---- Receiver -----------------------------------------------------------------------------


async def test_receiver_put_creates_then_replaces_and_get_returns_it(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/T1"
    r = await pair.emsp.client.put(url, json=factories.tariff("T1"), headers=pair.emsp_headers())
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    assert r.headers["OCPI-to-party-id"] == "CPO"
    new = factories.tariff("T1", type="REGULAR", last_updated="2026-02-01T00:00:00Z")
    r = await pair.emsp.client.put(url, json=new, headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    r = await pair.emsp.client.get(f"{RECEIVER}/nl/cpo/t1", headers=pair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["data"]["type"] == "REGULAR"
    assert r.json()["data"]["last_updated"] == "2026-02-01T00:00:00Z"
    async with pair.emsp.db.connect() as conn:
        kinds = [e.kind for e in await EventLog(conn).after(0)]
    assert kinds == ["tariff.created", "tariff.updated"]


async def test_receiver_delete_removes_the_tariff(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/T1"
    await pair.emsp.client.put(url, json=factories.tariff("T1"), headers=pair.emsp_headers())
    r = await pair.emsp.client.delete(url, headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    assert await stored(pair.emsp, "T1") is None
    r = await pair.emsp.client.get(url, headers=pair.emsp_headers())
    assert r.status_code == 404
    r = await pair.emsp.client.delete(url, headers=pair.emsp_headers())
    assert r.status_code == 404
    async with pair.emsp.db.connect() as conn:
        kinds = [e.kind for e in await EventLog(conn).after(0)]
    assert kinds == ["tariff.created", "tariff.deleted"]


async def test_older_put_is_accepted_but_keeps_the_newer_tariff(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/T1"
    newer = factories.tariff("T1", last_updated="2026-05-01T00:00:00Z")
    await pair.emsp.client.put(url, json=newer, headers=pair.emsp_headers())
    older = factories.tariff("T1", currency="USD", last_updated="2026-04-01T00:00:00Z")
    r = await pair.emsp.client.put(url, json=older, headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    t = await stored(pair.emsp, "T1")
    assert t is not None and t["currency"] == "EUR"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda t: t.pop("currency"), "currency"),
        (lambda t: t.pop("last_updated"), "last_updated"),
        (lambda t: t.update(elements=[]), "elements"),
        (lambda t: t.update(id="OTHER"), "id"),
        (lambda t: t.update(party_id="ABC"), "party_id"),
        (lambda t: t.update(id="x" * 37), "id"),
        (lambda t: t.update(currency="EURO"), "currency"),
        (lambda t: t.update(type="CHEAPEST"), "type"),
        (
            lambda t: t["elements"][0]["price_components"][0].update(type="KWH"),
            "elements.0.price_components.0.type",
        ),
        (
            lambda t: t["elements"][0].update(restrictions={"start_time": "25:00"}),
            "elements.0.restrictions.start_time",
        ),
        (
            lambda t: t["elements"][0]["price_components"][0].update(step_size="1"),
            "step_size",
        ),
    ],
)
async def test_bad_put_is_2001_naming_the_field_and_stores_nothing(pair: Pair, mutate, field):
    t = factories.tariff("T1")
    mutate(t)
    r = await pair.emsp.client.put(f"{RECEIVER}/NL/CPO/T1", json=t, headers=pair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(pair.emsp, "T1") is None


async def test_put_body_that_is_not_an_object_is_2001(pair: Pair):
    r = await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/T1", json=[factories.tariff("T1")], headers=pair.emsp_headers()
    )
    assert r.json()["status_code"] == 2001
    assert await stored(pair.emsp, "T1") is None


async def test_receiver_has_no_patch(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/T1"
    await pair.emsp.client.put(url, json=factories.tariff("T1"), headers=pair.emsp_headers())
    r = await pair.emsp.client.patch(
        url,
        json={"currency": "USD", "last_updated": "2026-06-01T00:00:00Z"},
        headers=pair.emsp_headers(),
    )
    assert r.status_code == 405
    t = await stored(pair.emsp, "T1")
    assert t is not None and t["currency"] == "EUR"


async def test_peer_cannot_write_read_or_delete_under_another_party(pair: Pair):
    t = factories.tariff("T1", cc="FR", pid="XXX")
    url = f"{RECEIVER}/FR/XXX/T1"
    r = await pair.emsp.client.put(url, json=t, headers=pair.emsp_headers())
    assert r.status_code == 404
    assert await stored(pair.emsp, "T1", "FR", "XXX") is None
    r = await pair.emsp.client.get(url, headers=pair.emsp_headers())
    assert r.status_code == 404
    r = await pair.emsp.client.delete(url, headers=pair.emsp_headers())
    assert r.status_code == 404


async def test_peer_cannot_write_under_the_nodes_own_party(pair: Pair):
    t = factories.tariff("T1", cc="DE", pid="MSP")
    r = await pair.emsp.client.put(f"{RECEIVER}/DE/MSP/T1", json=t, headers=pair.emsp_headers())
    assert r.status_code == 404
    assert await stored(pair.emsp, "T1", "DE", "MSP") is None


async def test_other_peer_cannot_read_or_delete_a_received_tariff(pair: Pair, databases):
    """A second CPO peer registered with the eMSP sees nothing of NL:CPO's tariffs."""
    from ocpikit.modules.credentials.service import register_with_peer
    from tests.support import running_node

    url = f"{RECEIVER}/NL/CPO/T1"
    await pair.emsp.client.put(url, json=factories.tariff("T1"), headers=pair.emsp_headers())
    async with running_node(await databases.new(), [("BE", "OTH", "CPO")]) as other:
        peer = await register_with_peer(
            other.db,
            other.client,
            versions_url=pair.emsp.versions_url,
            token_a=await pair.emsp.token_a(),
        )
        from ocpikit.storage.repositories import PeerRepository

        async with pair.emsp.db.connect() as conn:
            peers = await PeerRepository(conn).list()
        to_emsp = next(p for p in peers if p.owns("BE", "OTH")).token_out
        assert peer.token_out and to_emsp
        headers = {
            **pair.emsp.auth(peer.token_out),
            "OCPI-from-country-code": "BE",
            "OCPI-from-party-id": "OTH",
            "OCPI-to-country-code": "DE",
            "OCPI-to-party-id": "MSP",
        }
        r = await pair.emsp.client.get(url, headers=headers)
        assert r.status_code == 404
        r = await pair.emsp.client.delete(url, headers=headers)
        assert r.status_code == 404
    assert await stored(pair.emsp, "T1") is not None
