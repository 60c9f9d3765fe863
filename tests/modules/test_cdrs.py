"""CDRs, Sender and Receiver, through real HTTP and a real database."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from sqlalchemy import select

from ocpikit.errors import InvalidParameters
from ocpikit.modules.cdrs import service
from ocpikit.modules.locations.service import save_local as save_location
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.locations import Location
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.schema import outbox
from tests import factories
from tests.support import Pair, RunningNode
from tests.versions import VERSIONS

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


def sender(pair: Pair) -> str:
    return pair.cpo_url("cdrs", "SENDER")


def receiver(pair: Pair) -> str:
    return pair.emsp_url("cdrs", "RECEIVER")


async def post_cdr(pair: Pair, cdr: dict):
    """POST a factory CDR, in the pair's version, to the eMSP's Receiver."""
    return await pair.emsp.client.post(
        receiver(pair), json=pair.wire("cdrs", cdr), headers=pair.emsp_headers()
    )


async def cpo_has_location(pair: Pair) -> None:
    """A 2.1.1 CDR embeds its Location: the CPO node needs LOC1 to render one."""
    if not pair.profile.canonical:
        await save_location(pair.cpo.db, Location.model_validate(factories.location("LOC1")))


async def emsp_has_location(pair: Pair) -> None:
    """A 2.1.1 CDR is read back with its Location: the eMSP node needs LOC1 (pushed to it).

    Without it the eMSP's 2.1.1 GET of a CDR it holds is a 404 ("no OCPI 2.1.1 form"): the
    Location embedded in the POSTed CDR is not kept.
    """
    if not pair.profile.canonical:
        r = await pair.emsp.client.put(
            f"{pair.emsp_url('locations', 'RECEIVER')}/NL/CPO/LOC1",
            json=pair.wire("locations", factories.location("LOC1")),
            headers=pair.emsp_headers(),
        )
        assert r.json()["status_code"] == 1000, r.text


# ---- Sender -------------------------------------------------------------------------------


async def test_version_details_list_cdrs_by_role(vpair: Pair):
    cpo_side = {"identifier": "cdrs", "role": "SENDER", "url": f"{vpair.cpo.url}{sender(vpair)}"}
    emsp_side = {
        "identifier": "cdrs",
        "role": "RECEIVER",
        "url": f"{vpair.emsp.url}{receiver(vpair)}",
    }
    if not vpair.profile.endpoints_have_role:  # 2.1.1: the party's role says which it is
        del cpo_side["role"], emsp_side["role"]
    r = await vpair.cpo.client.get(vpair.cpo_details(), headers=vpair.cpo_headers())
    assert cpo_side in r.json()["data"]["endpoints"]
    r = await vpair.emsp.client.get(vpair.emsp_details(), headers=vpair.emsp_headers())
    assert emsp_side in r.json()["data"]["endpoints"]


async def test_sender_pages_only_the_cdrs_of_the_callers_tokens(vpair: Pair):
    await cpo_has_location(vpair)
    for i in range(5):
        await save(vpair.cpo, cid=f"CDR{i}", last_updated=f"2026-01-0{i + 1}T12:00:00Z")
    await save(vpair.cpo, cid="FOREIGN", token=OTHER_EMSP)
    url, seen = f"{sender(vpair)}?limit=2", []
    while url:
        r = await vpair.cpo.client.get(url, headers=vpair.cpo_headers())
        assert r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "5"
        seen += [c["id"] for c in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == [f"CDR{i}" for i in range(5)]


async def test_sender_date_filters(vpair: Pair):
    await cpo_has_location(vpair)
    for i in range(4):
        await save(vpair.cpo, cid=f"CDR{i}", last_updated=f"2026-01-0{i + 1}T12:00:00Z")
    r = await vpair.cpo.client.get(
        f"{sender(vpair)}?date_from=2026-01-02T12:00:00Z&date_to=2026-01-04T12:00:00Z",
        headers=vpair.cpo_headers(),
    )
    assert [c["id"] for c in r.json()["data"]] == ["CDR1", "CDR2"]


# ---- Receiver -----------------------------------------------------------------------------


async def test_post_is_201_with_a_location_that_get_reads(vpair: Pair):
    await emsp_has_location(vpair)
    cdr = factories.cdr()
    r = await post_cdr(vpair, cdr)
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    location = r.headers["Location"]
    assert location == f"{vpair.emsp.url}{receiver(vpair)}/NL/CPO/CDR1"
    r = await vpair.emsp.client.get(path_of(location, vpair.emsp), headers=vpair.emsp_headers())
    assert r.status_code == 200
    # 2.2.1: the CDR as posted; 2.1.1: the 2.1.1 form of it, which lost what 2.1.1 lacks.
    assert r.json()["data"] == vpair.wire("cdrs", CDR.model_validate(cdr).to_wire())
    # (Without the 2.1.1 Location's own events.)
    [event] = [e for e in await events(vpair.emsp) if e.module != "locations"]
    assert (event.kind, event.object_id) == ("cdr.created", "CDR1")


async def test_receiver_accepts_any_case_in_party_and_id(vpair: Pair):
    await emsp_has_location(vpair)
    r = await post_cdr(vpair, factories.cdr("cdr-a", cc="nl", pid="cpo"))
    assert r.status_code == 201
    r = await vpair.emsp.client.get(f"{receiver(vpair)}/NL/CPO/CDR-A", headers=vpair.emsp_headers())
    assert r.json()["data"]["id"] == "cdr-a"


async def test_identical_repeat_post_is_acknowledged_and_a_different_one_refused(vpair: Pair):
    await post_cdr(vpair, factories.cdr())
    r = await post_cdr(vpair, factories.cdr())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    assert r.headers["Location"].endswith(f"{receiver(vpair)}/NL/CPO/CDR1")
    r = await post_cdr(vpair, factories.cdr(total_cost={"excl_vat": 1.0, "incl_vat": 1.21}))
    assert r.json()["status_code"] == 2001
    assert "immutable" in r.json()["status_message"]
    cdr = await stored(vpair.emsp, "CDR1")
    # A 2.1.1 total_cost is one number, excl. VAT.
    total = {"excl_vat": 4} if vpair.version == "2.1.1" else {"excl_vat": 4, "incl_vat": 4.84}
    assert cdr is not None and cdr["total_cost"] == total
    assert [e.kind for e in await events(vpair.emsp)] == ["cdr.created"]


async def test_credit_cdr_is_a_new_cdr(vpair: Pair):
    await post_cdr(vpair, factories.cdr())
    credit = factories.cdr(
        "CDR1-C",
        credit=True,
        credit_reference_id="CDR1",
        total_cost={"excl_vat": -4.0, "incl_vat": -4.84},
    )
    r = await post_cdr(vpair, credit)
    assert r.status_code == 201
    assert r.headers["Location"].endswith("/NL/CPO/CDR1-C")
    original, credited = await stored(vpair.emsp, "CDR1"), await stored(vpair.emsp, "CDR1-C")
    assert original is not None and original["total_cost"]["excl_vat"] == 4
    created = [e for e in await events(vpair.emsp) if e.object_id == "CDR1-C"]
    if vpair.version == "2.1.1":  # no credit CDRs in 2.1.1: a CDR with a negative total
        assert credited is not None and credited["total_cost"]["excl_vat"] == -4
        assert "credit_reference_id" not in credited and created
        return
    assert credited is not None and credited["credit_reference_id"] == "CDR1"
    assert created[0].data["credit_reference_id"] == "CDR1"


# Mutations of the wire form; 2.1.1 calls cdr_location ``location``.
BAD_CDRS = [
    (lambda c: c.pop("cdr_location" if "cdr_location" in c else "location"), "cdr_location"),
    (lambda c: c.pop("total_cost"), "total_cost"),
    (lambda c: c.update(charging_periods=[]), "charging_periods"),
    (lambda c: c.update(id="X" * 40), "id"),
    (lambda c: c.update(auth_method="CARD"), "auth_method"),
    (lambda c: c.update(total_energy="ten"), "total_energy"),
    (lambda c: c.update(remark="r" * 256), "remark"),
]
# 2.2.1 only: fields a 2.1.1 CDR lacks (its Location is a whole Location; no credit CDRs).
BAD_CDRS_221 = [
    (lambda c: c["cdr_location"].update(connector_format="PLUG_OR_SOCKET"), "connector_format"),
    (lambda c: c.update(credit=True), "credit_reference_id"),
]


@pytest.mark.parametrize(
    ("profile", "mutate", "field"),
    [
        *[(version, *case) for version in VERSIONS for case in BAD_CDRS],
        *[("2.2.1", *case) for case in BAD_CDRS_221],
    ],
    indirect=["profile"],
)
async def test_bad_cdr_is_2001_naming_the_field_and_stores_nothing(vpair: Pair, mutate, field: str):
    cdr = vpair.wire("cdrs", factories.cdr())
    mutate(cdr)
    if vpair.version == "2.1.1" and field == "cdr_location":
        field = "location"
    r = await vpair.emsp.client.post(receiver(vpair), json=cdr, headers=vpair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert "Location" not in r.headers
    assert await stored(vpair.emsp, "CDR1") is None
    assert await events(vpair.emsp) == []


async def test_non_object_body_is_2001_and_non_json_is_400(vpair: Pair):
    r = await vpair.emsp.client.post(
        receiver(vpair), json=[vpair.wire("cdrs", factories.cdr())], headers=vpair.emsp_headers()
    )
    assert r.json()["status_code"] == 2001
    r = await vpair.emsp.client.post(
        receiver(vpair),
        content=b"not json",
        headers={**vpair.emsp_headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400


async def test_peer_cannot_post_or_read_under_another_party(vpair: Pair):
    if vpair.version == "2.1.1":
        # A 2.1.1 CDR names no party: it is the peer's (its credentials), whatever it adds.
        body = {**vpair.wire("cdrs", factories.cdr()), "country_code": "FR", "party_id": "XXX"}
        r = await vpair.emsp.client.post(receiver(vpair), json=body, headers=vpair.emsp_headers())
        assert r.status_code == 201
        assert await stored(vpair.emsp, "CDR1", "FR", "XXX") is None
        assert await stored(vpair.emsp, "CDR1") is not None
    else:
        r = await post_cdr(vpair, factories.cdr(cc="FR", pid="XXX"))
        assert r.status_code == 404
        assert await stored(vpair.emsp, "CDR1", "FR", "XXX") is None
        r = await post_cdr(vpair, factories.cdr(cc="DE", pid="MSP"))
        assert r.status_code == 404
        assert await stored(vpair.emsp, "CDR1", "DE", "MSP") is None
        await post_cdr(vpair, factories.cdr())
    r = await vpair.emsp.client.get(f"{receiver(vpair)}/FR/XXX/CDR1", headers=vpair.emsp_headers())
    assert r.status_code == 404


async def test_get_of_unknown_cdr_is_404(vpair: Pair):
    r = await vpair.emsp.client.get(f"{receiver(vpair)}/NL/CPO/NOPE", headers=vpair.emsp_headers())
    assert r.status_code == 404


async def test_receiver_rejects_calls_without_a_peer_token(vpair: Pair):
    r = await vpair.emsp.client.post(receiver(vpair), json=vpair.wire("cdrs", factories.cdr()))
    assert r.status_code == 401
    assert await stored(vpair.emsp, "CDR1") is None


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
    """The queued POST, delivered as the outbox worker would, is stored by the eMSP.

    2.2.1 only: the outbox holds the domain (2.2.1) form; the worker renders it for a 2.1.1
    peer at delivery (``tests/e2e/test_v211_flow.py``).
    """
    await save(pair.cpo)
    [row] = await outbox_rows(pair.cpo)
    r = await pair.emsp.client.request(
        row.method,
        f"{receiver(pair)}{row.path}",
        content=row.body,
        headers={**pair.emsp_headers(), "Content-Type": "application/json"},
    )
    # 201, or 200 when the node's own push worker delivered the same CDR first (idempotent).
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000
    assert await stored(pair.emsp, "CDR1") == await stored(pair.cpo, "CDR1")


async def test_concurrent_posts_of_one_cdr_store_it_once(vpair: Pair):
    """Two deliveries of the same CDR racing (a retry crossing the original) never 500."""
    body = vpair.wire("cdrs", factories.cdr("RACE1"))
    answers = await asyncio.gather(
        *(
            vpair.emsp.client.post(receiver(vpair), json=body, headers=vpair.emsp_headers())
            for _ in range(6)
        )
    )
    assert sorted(a.status_code for a in answers).count(201) == 1
    assert all(a.status_code in (200, 201) and a.json()["status_code"] == 1000 for a in answers)
