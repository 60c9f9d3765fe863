"""eMSP side: every received CDR is re-priced with the tariffs we hold; mismatches are listed."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from ocpikit import tariffs as engine
from ocpikit.storage.objects import ObjectKey, ObjectStore
from tests import factories
from tests.pricing.support import ADMIN, AMSTERDAM, energy_tariff, events, location, push_to_emsp
from tests.support import Pair
from tests.versions import ocpi_path

RECEIVER = ocpi_path("2.2.1", "cdrs", "RECEIVER")  # the CDR check is priced from 2.2.1 CDRs
TARIFF = energy_tariff("T1", 0.25)  # 0.50 + 0.25/kWh, VAT 21%


def cdr(cid: str, excl: float, incl: float | None, **extra) -> dict:
    """A 10 kWh CDR at LOC1-1/1 of tariff T1: 3.00 excl. VAT, 3.63 incl. VAT."""
    total = {"excl_vat": excl} if incl is None else {"excl_vat": excl, "incl_vat": incl}
    return factories.cdr(cid, total_cost=total, **extra)


async def post(pair: Pair, body: dict) -> None:
    r = await pair.emsp.client.post(RECEIVER, json=body, headers=pair.emsp_headers())
    assert r.status_code == 201 and r.json()["status_code"] == 1000, r.text


async def stored(pair: Pair, cid: str) -> bool:
    async with pair.emsp.db.connect() as conn:
        return await ObjectStore(conn).get(ObjectKey("cdrs", "NL", "CPO", cid)) is not None


async def disputes(pair: Pair, query: str = "") -> dict:
    r = await pair.emsp.client.get(f"/api/cdrs/disputes{query}", headers=ADMIN)
    assert r.status_code == 200, r.text
    return r.json()


async def test_correct_totals_are_checked(pair: Pair):
    await push_to_emsp(pair, tars=[TARIFF], locs=[location("LOC1", ["T1"], AMSTERDAM)])
    expected = engine.price(
        engine.parse_tariff(TARIFF), engine.parse_cdr(factories.cdr()), ZoneInfo("UTC")
    )
    assert expected.total_cost == engine.Cost(Decimal("3.00"), Decimal("3.63"))
    await post(pair, cdr("GOOD", 3.0, 3.63))
    await post(pair, cdr("ROUNDED", 3.01, 3.62))  # within 0.01: not a dispute
    [good, rounded] = await events(pair.emsp)
    assert (good.kind, good.object_id, rounded.kind) == (
        "cdr.price_checked",
        "GOOD",
        "cdr.price_checked",
    )
    assert good.data["expected_total"] == {"excl_vat": 3, "incl_vat": 3.63}
    assert good.data["tariff_id"] == "T1" and good.data["tariff_source"] == "stored"
    assert good.data["time_zone"] == "Europe/Amsterdam"
    assert (await disputes(pair))["items"] == []


async def test_wrong_totals_are_a_mismatch_listed_as_a_dispute(pair: Pair):
    await push_to_emsp(pair, tars=[TARIFF], locs=[location("LOC1", ["T1"], AMSTERDAM)])
    await post(pair, cdr("GOOD", 3.0, 3.63))
    await post(pair, cdr("DEAR", 4.0, 4.84))
    await post(pair, cdr("VAT", 3.0, 3.9))  # right excl. VAT, wrong incl. VAT
    assert await stored(pair, "DEAR") and await stored(pair, "VAT")  # never refused
    kinds = [(e.object_id, e.kind) for e in await events(pair.emsp)]
    assert kinds == [
        ("GOOD", "cdr.price_checked"),
        ("DEAR", "cdr.price_mismatch"),
        ("VAT", "cdr.price_mismatch"),
    ]
    body = await disputes(pair)
    dear, vat = body["items"]
    assert dear["cdr_id"] == "DEAR" and (dear["country_code"], dear["party_id"]) == ("NL", "CPO")
    assert dear["received_total"] == {"excl_vat": 4, "incl_vat": 4.84}
    assert dear["expected_total"] == {"excl_vat": 3, "incl_vat": 3.63}
    assert dear["difference"] == {"excl_vat": 1, "incl_vat": 1.21}
    assert dear["currency"] == "EUR" and dear["tariff_id"] == "T1"
    assert vat["cdr_id"] == "VAT" and vat["difference"]["excl_vat"] == 0
    assert body["next_after"] == vat["event_id"]
    later = await disputes(pair, f"?after={dear['event_id']}")
    assert [d["cdr_id"] for d in later["items"]] == ["VAT"]
    assert [d["cdr_id"] for d in (await disputes(pair, "?limit=1"))["items"]] == ["DEAR"]


async def test_without_a_known_tariff_the_cdr_is_unchecked(pair: Pair):
    await post(pair, cdr("NOLOC", 4.0, 4.84))  # location unknown, no tariffs in the CDR
    await push_to_emsp(pair, locs=[location("LOC1", ["T9"], AMSTERDAM)])
    await post(pair, cdr("NOTARIFF", 4.0, 4.84))
    unchecked = await events(pair.emsp)
    assert [(e.object_id, e.kind) for e in unchecked] == [
        ("NOLOC", "cdr.price_unchecked"),
        ("NOTARIFF", "cdr.price_unchecked"),
    ]
    assert "LOC1" in unchecked[0].data["reason"]
    assert "T9" in unchecked[1].data["reason"]
    assert await stored(pair, "NOLOC") and await stored(pair, "NOTARIFF")
    assert (await disputes(pair))["items"] == []


async def test_the_tariffs_a_cdr_carries_are_used_when_we_hold_none(pair: Pair):
    await post(pair, cdr("CARRIED", 3.0, 3.63, tariffs=[TARIFF]))
    await post(pair, cdr("CARRIED2", 5.0, 6.05, tariffs=[TARIFF]))
    checked, mismatch = await events(pair.emsp)
    assert checked.kind == "cdr.price_checked" and checked.data["tariff_source"] == "cdr"
    assert mismatch.kind == "cdr.price_mismatch"
    # The tariffs we hold win over the ones a CDR carries.
    await push_to_emsp(pair, tars=[energy_tariff("T1", 0.35)])
    await post(pair, cdr("CARRIED3", 3.0, 3.63, tariffs=[TARIFF]))
    last = (await events(pair.emsp))[-1]
    assert last.kind == "cdr.price_mismatch" and last.data["expected_total"]["excl_vat"] == 4


async def test_disputes_need_the_admin_token(pair: Pair):
    r = await pair.emsp.client.get("/api/cdrs/disputes")
    assert r.status_code == 401
    r = await pair.emsp.client.get("/api/cdrs/disputes?limit=0", headers=ADMIN)
    assert r.status_code == 422
