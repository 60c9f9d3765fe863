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


def sender(pair: Pair) -> str:
    return pair.cpo_url("tariffs", "SENDER")


def receiver(pair: Pair) -> str:
    return pair.emsp_url("tariffs", "RECEIVER")


async def put_tariff(pair: Pair, tariff: dict, cc: str = "NL", pid: str = "CPO"):
    """PUT a factory Tariff, in the pair's version, to the eMSP's Receiver."""
    return await pair.emsp.client.put(
        f"{receiver(pair)}/{cc}/{pid}/{tariff['id']}",
        json=pair.wire("tariffs", tariff),
        headers=pair.emsp_headers(),
    )


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


async def test_version_details_list_tariffs_by_role(vpair: Pair):
    r = await vpair.cpo.client.get(vpair.cpo_details(), headers=vpair.cpo_headers())
    endpoints = r.json()["data"]["endpoints"]
    emsp_side = {
        "identifier": "tariffs",
        "role": "RECEIVER",
        "url": f"{vpair.emsp.url}{receiver(vpair)}",
    }
    if vpair.profile.endpoints_have_role:
        assert {
            "identifier": "tariffs",
            "role": "SENDER",
            "url": f"{vpair.cpo.url}{sender(vpair)}",
        } in endpoints
        assert not any(e["identifier"] == "tariffs" and e["role"] == "RECEIVER" for e in endpoints)
    else:  # 2.1.1: one tariffs endpoint per party, the CPO's its Sender
        assert [e for e in endpoints if e["identifier"] == "tariffs"] == [
            {"identifier": "tariffs", "url": f"{vpair.cpo.url}{sender(vpair)}"}
        ]
        del emsp_side["role"]
    r = await vpair.emsp.client.get(vpair.emsp_details(), headers=vpair.emsp_headers())
    assert emsp_side in r.json()["data"]["endpoints"]


async def test_sender_pages_follow_links_to_every_tariff(vpair: Pair):
    await seed(vpair.cpo, 5)
    url, seen = f"{sender(vpair)}?limit=2", []
    while url:
        r = await vpair.cpo.client.get(url, headers=vpair.cpo_headers())
        assert r.status_code == 200 and r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "5"
        assert r.headers["X-Limit"] == "2"
        if vpair.profile.routing_headers:
            assert r.headers["OCPI-to-party-id"] == "MSP"
        else:
            assert "OCPI-to-party-id" not in r.headers
        seen += [t["id"] for t in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == [f"T{i:03d}" for i in range(5)]


async def test_sender_date_filters_are_inclusive_from_and_exclusive_to(vpair: Pair):
    await seed(vpair.cpo, 5)  # last_updated 2026-01-01 .. 2026-01-05
    r = await vpair.cpo.client.get(
        f"{sender(vpair)}?date_from=2026-01-02T00:00:00Z&date_to=2026-01-04T00:00:00Z",
        headers=vpair.cpo_headers(),
    )
    assert [t["id"] for t in r.json()["data"]] == ["T001", "T002"]
    assert r.headers["X-Total-Count"] == "2"


async def test_sender_serves_tariffs_as_stored_with_numbers(vpair: Pair):
    await seed(vpair.cpo, 1)
    r = await vpair.cpo.client.get(sender(vpair), headers=vpair.cpo_headers())
    [tariff] = r.json()["data"]
    expected = {"type": "ENERGY", "price": 0.25, "vat": 21, "step_size": 1}
    if vpair.version == "2.1.1":  # 2.1.1 prices carry no VAT
        del expected["vat"]
    assert tariff["elements"][1]["price_components"][0] == expected


async def test_sender_lists_no_received_tariffs_and_has_no_single_get(vpair: Pair):
    await put_tariff(vpair, factories.tariff("T1"))
    await seed(vpair.cpo, 1)
    r = await vpair.cpo.client.get(f"{sender(vpair)}/T000", headers=vpair.cpo_headers())
    assert r.status_code == 404
    # The eMSP holds a received tariff but offers no Tariffs Sender interface (2.1.1: its one
    # tariffs URL, the Receiver's, lists nothing).
    role = "SENDER" if vpair.profile.endpoints_have_role else None
    r = await vpair.emsp.client.get(vpair.emsp_url("tariffs", role), headers=vpair.emsp_headers())
    assert r.status_code == 404


async def test_sender_rejects_token_a_and_missing_tokens(vpair: Pair):
    token_a = vpair.cpo.auth(await vpair.cpo.token_a(), vpair.profile.token_encoding)
    r = await vpair.cpo.client.get(sender(vpair), headers=token_a)
    assert r.status_code == 401
    r = await vpair.cpo.client.get(sender(vpair))
    assert r.status_code == 401


# ---- Local writes queue pushes ------------------------------------------------------------


async def test_save_local_queues_a_put_for_the_registered_emsp(vpair: Pair):
    # Queued in the domain form whatever the eMSP's version: rendered for it at delivery.
    await seed(vpair.cpo, 1)
    [row] = await outbox_rows(vpair.cpo)
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


async def test_receiver_put_creates_then_replaces_and_get_returns_it(vpair: Pair):
    r = await put_tariff(vpair, factories.tariff("T1"))
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    if vpair.profile.routing_headers:
        assert r.headers["OCPI-to-party-id"] == "CPO"
    else:
        assert "OCPI-to-party-id" not in r.headers
    new = factories.tariff("T1", type="REGULAR", last_updated="2026-02-01T00:00:00Z")
    r = await put_tariff(vpair, new)
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    r = await vpair.emsp.client.get(f"{receiver(vpair)}/nl/cpo/t1", headers=vpair.emsp_headers())
    assert r.status_code == 200
    if vpair.version == "2.1.1":  # 2.1.1 Tariffs have no type
        assert "type" not in r.json()["data"]
    else:
        assert r.json()["data"]["type"] == "REGULAR"
    assert r.json()["data"]["last_updated"] == "2026-02-01T00:00:00Z"
    async with vpair.emsp.db.connect() as conn:
        kinds = [e.kind for e in await EventLog(conn).after(0)]
    assert kinds == ["tariff.created", "tariff.updated"]


async def test_receiver_delete_removes_the_tariff(vpair: Pair):
    url, headers = f"{receiver(vpair)}/NL/CPO/T1", vpair.emsp_headers()
    await put_tariff(vpair, factories.tariff("T1"))
    r = await vpair.emsp.client.delete(url, headers=headers)
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    assert await stored(vpair.emsp, "T1") is None
    r = await vpair.emsp.client.get(url, headers=headers)
    assert r.status_code == 404
    r = await vpair.emsp.client.delete(url, headers=headers)
    assert r.status_code == 404
    async with vpair.emsp.db.connect() as conn:
        kinds = [e.kind for e in await EventLog(conn).after(0)]
    assert kinds == ["tariff.created", "tariff.deleted"]


async def test_older_put_is_accepted_but_keeps_the_newer_tariff(vpair: Pair):
    await put_tariff(vpair, factories.tariff("T1", last_updated="2026-05-01T00:00:00Z"))
    older = factories.tariff("T1", currency="USD", last_updated="2026-04-01T00:00:00Z")
    r = await put_tariff(vpair, older)
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    t = await stored(vpair.emsp, "T1")
    assert t is not None and t["currency"] == "EUR"


# Mutations of the wire form and the field the 2001 names, the same in both versions.
BAD_PUTS = [
    (lambda t: t.pop("currency"), "currency"),
    (lambda t: t.pop("last_updated"), "last_updated"),
    (lambda t: t.update(elements=[]), "elements"),
    (lambda t: t.update(id="OTHER"), "id"),
    (lambda t: t.update(id="x" * 37), "id"),
    (lambda t: t.update(currency="EURO"), "currency"),
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
]
# Fields only 2.2.1 Tariffs have: 2001 there; in 2.1.1 an unknown field, ignored.
BAD_PUTS_221 = [
    (lambda t: t.update(party_id="ABC"), "party_id"),
    (lambda t: t.update(type="CHEAPEST"), "type"),
]


@pytest.mark.parametrize(("mutate", "field"), BAD_PUTS)
async def test_bad_put_is_2001_naming_the_field_and_stores_nothing(vpair: Pair, mutate, field):
    t = vpair.wire("tariffs", factories.tariff("T1"))
    mutate(t)
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/T1", json=t, headers=vpair.emsp_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(vpair.emsp, "T1") is None


@pytest.mark.parametrize(("mutate", "field"), BAD_PUTS_221)
async def test_bad_value_of_a_2_2_1_only_field(vpair: Pair, mutate, field):
    t = vpair.wire("tariffs", factories.tariff("T1"))
    mutate(t)
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/T1", json=t, headers=vpair.emsp_headers()
    )
    assert r.status_code in (200, 201)
    got = await stored(vpair.emsp, "T1")
    if vpair.version == "2.1.1":
        assert r.json()["status_code"] == 1000, r.json()
        assert got is not None and got["party_id"] == "CPO" and "type" not in got
    else:
        assert r.json()["status_code"] == 2001, r.json()
        assert field in r.json()["status_message"]
        assert got is None


async def test_put_body_that_is_not_an_object_is_2001(vpair: Pair):
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/T1",
        json=[vpair.wire("tariffs", factories.tariff("T1"))],
        headers=vpair.emsp_headers(),
    )
    assert r.json()["status_code"] == 2001
    assert await stored(vpair.emsp, "T1") is None


async def test_receiver_patch(vpair: Pair):
    """2.2.x Tariffs have no PATCH (TAR-03): 405; the 2.1.1 Receiver takes one."""
    url = f"{receiver(vpair)}/NL/CPO/T1"
    await put_tariff(vpair, factories.tariff("T1"))
    r = await vpair.emsp.client.patch(
        url,
        json={"currency": "USD", "last_updated": "2026-06-01T00:00:00Z"},
        headers=vpair.emsp_headers(),
    )
    t = await stored(vpair.emsp, "T1")
    assert t is not None
    if vpair.version == "2.1.1":
        assert r.status_code == 200 and r.json()["status_code"] == 1000, r.text
        assert t["currency"] == "USD" and t["last_updated"] == "2026-06-01T00:00:00Z"
    else:
        assert r.status_code == 405
        assert t["currency"] == "EUR"


async def test_peer_cannot_write_read_or_delete_under_another_party(vpair: Pair):
    url = f"{receiver(vpair)}/FR/XXX/T1"
    r = await put_tariff(vpair, factories.tariff("T1", cc="FR", pid="XXX"), "FR", "XXX")
    assert r.status_code == 404
    assert await stored(vpair.emsp, "T1", "FR", "XXX") is None
    r = await vpair.emsp.client.get(url, headers=vpair.emsp_headers())
    assert r.status_code == 404
    r = await vpair.emsp.client.delete(url, headers=vpair.emsp_headers())
    assert r.status_code == 404


async def test_peer_cannot_write_under_the_nodes_own_party(vpair: Pair):
    r = await put_tariff(vpair, factories.tariff("T1", cc="DE", pid="MSP"), "DE", "MSP")
    assert r.status_code == 404
    assert await stored(vpair.emsp, "T1", "DE", "MSP") is None


async def test_other_peer_cannot_read_or_delete_a_received_tariff(pair: Pair, databases):
    """A second CPO peer registered with the eMSP sees nothing of NL:CPO's tariffs."""
    from ocpikit.modules.credentials.service import register_with_peer
    from tests.support import running_node

    # 2.2.1 only: the second CPO registers in the newest version (routing headers below).
    url = f"{receiver(pair)}/NL/CPO/T1"
    await put_tariff(pair, factories.tariff("T1"))
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
