"""CDRs, Sender and Receiver, through real HTTP and a real database."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from sqlalchemy import select

from ocpikit.errors import InvalidParameters
from ocpikit.modules.cdrs import service
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.schema import outbox
from tests import factories
from tests.support import Pair, RunningNode

SENDER = "/ocpi/2.2.1/sender/cdrs"
RECEIVER = "/ocpi/2.2.1/receiver/cdrs"
OTHER_EMSP = factories.cdr_token("FR", "XXX", "OTHER")


async def save(node: RunningNode, **kwargs) -> None:
    await service.save_local(node.db, CDR.model_validate(factories.cdr(**kwargs)))


async def stored(node: RunningNode, cid: str, cc: str = "NL", pid: str = "CPO") -> dict | None:
    async with node.db.connect() as conn:
        obj = await ObjectStore(conn).get(ObjectKey("cdrs", cc, pid, cid))
    return obj.parsed() if obj else None


async def outbox_rows(node: RunningNode) -> list:
    async with node.db.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


async def events(node: RunningNode) -> list:
    """The events of the CDRs module, without the price checks (tests/pricing covers them)."""
    async with node.db.connect() as conn:
        return [e for e in await EventLog(conn).after(0) if not e.kind.startswith("cdr.price_")]


def path_of(location: str, node: RunningNode) -> str:
    assert location.startswith(node.url)
    return location[len(node.url) :]


# ---- Sender -------------------------------------------------------------------------------


async def test_version_details_list_cdrs_by_role(pair: Pair):
    r = await pair.cpo.client.get("/ocpi/2.2.1", headers=pair.cpo.auth(pair.to_cpo))
    assert {
        "identifier": "cdrs",
        "role": "SENDER",
        "url": f"{pair.cpo.url}{SENDER}",
    } in r.json()["data"]["endpoints"]
    r = await pair.emsp.client.get("/ocpi/2.2.1", headers=pair.emsp.auth(pair.to_emsp))
    assert {
        "identifier": "cdrs",
        "role": "RECEIVER",
        "url": f"{pair.emsp.url}{RECEIVER}",
    } in r.json()["data"]["endpoints"]


async def test_sender_pages_only_the_cdrs_of_the_callers_tokens(pair: Pair):
    for i in range(5):
        await save(pair.cpo, cid=f"CDR{i}", last_updated=f"2026-01-0{i + 1}T12:00:00Z")
    await save(pair.cpo, cid="FOREIGN", token=OTHER_EMSP)
    url, seen = f"{SENDER}?limit=2", []
    while url:
        r = await pair.cpo.client.get(url, headers=pair.cpo_headers())
        assert r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "5"
        seen += [c["id"] for c in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == [f"CDR{i}" for i in range(5)]


async def test_sender_date_filters(pair: Pair):
    for i in range(4):
        await save(pair.cpo, cid=f"CDR{i}", last_updated=f"2026-01-0{i + 1}T12:00:00Z")
    r = await pair.cpo.client.get(
        f"{SENDER}?date_from=2026-01-02T12:00:00Z&date_to=2026-01-04T12:00:00Z",
        headers=pair.cpo_headers(),
    )
    assert [c["id"] for c in r.json()["data"]] == ["CDR1", "CDR2"]


# ---- Receiver -----------------------------------------------------------------------------


async def test_post_is_201_with_a_location_that_get_reads(pair: Pair):
    cdr = factories.cdr()
    r = await pair.emsp.client.post(RECEIVER, json=cdr, headers=pair.emsp_headers())
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    location = r.headers["Location"]
    assert location == f"{pair.emsp.url}{RECEIVER}/NL/CPO/CDR1"
    r = await pair.emsp.client.get(path_of(location, pair.emsp), headers=pair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["data"] == CDR.model_validate(cdr).to_wire()
    [event] = await events(pair.emsp)
    assert (event.kind, event.object_id) == ("cdr.created", "CDR1")


async def test_receiver_accepts_any_case_in_party_and_id(pair: Pair):
    cdr = factories.cdr("cdr-a", cc="nl", pid="cpo")
    r = await pair.emsp.client.post(RECEIVER, json=cdr, headers=pair.emsp_headers())
    assert r.status_code == 201
    r = await pair.emsp.client.get(f"{RECEIVER}/NL/CPO/CDR-A", headers=pair.emsp_headers())
    assert r.json()["data"]["id"] == "cdr-a"


async def test_identical_repeat_post_is_acknowledged_and_a_different_one_refused(pair: Pair):
    await pair.emsp.client.post(RECEIVER, json=factories.cdr(), headers=pair.emsp_headers())
    r = await pair.emsp.client.post(RECEIVER, json=factories.cdr(), headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    assert r.headers["Location"].endswith(f"{RECEIVER}/NL/CPO/CDR1")
    changed = factories.cdr(total_cost={"excl_vat": 1.0, "incl_vat": 1.21})
    r = await pair.emsp.client.post(RECEIVER, json=changed, headers=pair.emsp_headers())
    assert r.json()["status_code"] == 2001
    assert "immutable" in r.json()["status_message"]
    cdr = await stored(pair.emsp, "CDR1")
    assert cdr is not None and cdr["total_cost"] == {"excl_vat": 4, "incl_vat": 4.84}
    assert [e.kind for e in await events(pair.emsp)] == ["cdr.created"]


async def test_credit_cdr_is_a_new_cdr(pair: Pair):
    await pair.emsp.client.post(RECEIVER, json=factories.cdr(), headers=pair.emsp_headers())
    credit = factories.cdr(
        "CDR1-C",
        credit=True,
        credit_reference_id="CDR1",
        total_cost={"excl_vat": -4.0, "incl_vat": -4.84},
    )
    r = await pair.emsp.client.post(RECEIVER, json=credit, headers=pair.emsp_headers())
    assert r.status_code == 201
    assert r.headers["Location"].endswith("/NL/CPO/CDR1-C")
    original, credited = await stored(pair.emsp, "CDR1"), await stored(pair.emsp, "CDR1-C")
    assert original is not None and original["total_cost"]["excl_vat"] == 4
    assert credited is not None and credited["credit_reference_id"] == "CDR1"
    created = [e for e in await events(pair.emsp) if e.object_id == "CDR1-C"]
    assert created[0].data["credit_reference_id"] == "CDR1"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: c.pop("cdr_location"), "cdr_location"),
        (lambda c: c.pop("total_cost"), "total_cost"),
        (lambda c: c.update(charging_periods=[]), "charging_periods"),
        (lambda c: c.update(id="X" * 40), "id"),
        (lambda c: c.update(auth_method="CARD"), "auth_method"),
        (lambda c: c["cdr_location"].update(connector_format="PLUG_OR_SOCKET"), "connector_format"),
        (lambda c: c.update(credit=True), "credit_reference_id"),
        (lambda c: c.update(total_energy="ten"), "total_energy"),
        (lambda c: c.update(remark="r" * 256), "remark"),
    ],
)
async def test_bad_cdr_is_2001_naming_the_field_and_stores_nothing(pair: Pair, mutate, field: str):
    cdr = factories.cdr()
    mutate(cdr)
    r = await pair.emsp.client.post(RECEIVER, json=cdr, headers=pair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert "Location" not in r.headers
    assert await stored(pair.emsp, "CDR1") is None
    assert await events(pair.emsp) == []


async def test_non_object_body_is_2001_and_non_json_is_400(pair: Pair):
    r = await pair.emsp.client.post(RECEIVER, json=[factories.cdr()], headers=pair.emsp_headers())
    assert r.json()["status_code"] == 2001
    r = await pair.emsp.client.post(
        RECEIVER,
        content=b"not json",
        headers={**pair.emsp_headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400


async def test_peer_cannot_post_or_read_under_another_party(pair: Pair):
    r = await pair.emsp.client.post(
        RECEIVER, json=factories.cdr(cc="FR", pid="XXX"), headers=pair.emsp_headers()
    )
    assert r.status_code == 404
    assert await stored(pair.emsp, "CDR1", "FR", "XXX") is None
    r = await pair.emsp.client.post(
        RECEIVER, json=factories.cdr(cc="DE", pid="MSP"), headers=pair.emsp_headers()
    )
    assert r.status_code == 404
    assert await stored(pair.emsp, "CDR1", "DE", "MSP") is None
    await pair.emsp.client.post(RECEIVER, json=factories.cdr(), headers=pair.emsp_headers())
    r = await pair.emsp.client.get(f"{RECEIVER}/FR/XXX/CDR1", headers=pair.emsp_headers())
    assert r.status_code == 404


async def test_get_of_unknown_cdr_is_404(pair: Pair):
    r = await pair.emsp.client.get(f"{RECEIVER}/NL/CPO/NOPE", headers=pair.emsp_headers())
    assert r.status_code == 404


async def test_receiver_rejects_calls_without_a_peer_token(pair: Pair):
    r = await pair.emsp.client.post(RECEIVER, json=factories.cdr())
    assert r.status_code == 401
    assert await stored(pair.emsp, "CDR1") is None


# ---- Local writes -------------------------------------------------------------------------


async def test_save_local_queues_a_post_for_the_tokens_emsp_only(pair: Pair):
    await save(pair.cpo)
    await save(pair.cpo, cid="FOREIGN", token=OTHER_EMSP)
    rows = await outbox_rows(pair.cpo)
    assert [(r.module, r.method, r.path) for r in rows] == [("cdrs", "POST", "")]
    assert (rows[0].to_country_code, rows[0].to_party_id) == ("DE", "MSP")
    assert orjson.loads(rows[0].body)["id"] == "CDR1"
    assert await stored(pair.cpo, "FOREIGN") is not None


async def test_local_cdr_cannot_be_saved_twice(pair: Pair):
    await save(pair.cpo)
    with pytest.raises(InvalidParameters):
        await save(pair.cpo, total_cost={"excl_vat": 1.0, "incl_vat": 1.21})
    cdr = await stored(pair.cpo, "CDR1")
    assert cdr is not None and cdr["total_cost"]["excl_vat"] == 4
    assert len(await outbox_rows(pair.cpo)) == 1


async def test_local_credit_cdr_is_pushed_as_a_new_cdr(pair: Pair):
    await save(pair.cpo)
    await save(
        pair.cpo,
        cid="CDR1-C",
        credit=True,
        credit_reference_id="CDR1",
        total_cost={"excl_vat": -4.0, "incl_vat": -4.84},
    )
    rows = await outbox_rows(pair.cpo)
    assert [orjson.loads(r.body)["id"] for r in rows] == ["CDR1", "CDR1-C"]


async def test_pushed_cdr_flows_to_the_emsp_receiver(pair: Pair):
    """The queued POST, delivered as the outbox worker would, is stored by the eMSP."""
    await save(pair.cpo)
    [row] = await outbox_rows(pair.cpo)
    r = await pair.emsp.client.request(
        row.method,
        f"{RECEIVER}{row.path}",
        content=row.body,
        headers={**pair.emsp_headers(), "Content-Type": "application/json"},
    )
    # 201, or 200 when the node's own push worker delivered the same CDR first (idempotent).
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000
    assert await stored(pair.emsp, "CDR1") == await stored(pair.cpo, "CDR1")


async def test_concurrent_posts_of_one_cdr_store_it_once(pair: Pair):
    """Two deliveries of the same CDR racing (a retry crossing the original) never 500."""
    body = factories.cdr("RACE1")
    answers = await asyncio.gather(
        *(pair.emsp.client.post(RECEIVER, json=body, headers=pair.emsp_headers()) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers).count(201) == 1
    assert all(a.status_code in (200, 201) and a.json()["status_code"] == 1000 for a in answers)
