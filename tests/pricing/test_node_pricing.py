"""CPO side: sessions and CDRs priced from the connector's tariffs, as the engine prices them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ocpikit import tariffs as engine
from ocpikit.modules.commands.service import get_command, send_command
from ocpikit.pricing import price_cdr, price_local_cdr, price_session
from ocpikit.pricing.lookup import Candidate, choose_tariff
from ocpikit.protocol.v221.cdrs import CDR
from tests import factories
from tests.chargepoints.support import command_token, only_peer, poll, stored
from tests.pricing.support import AMSTERDAM, energy_tariff, location, peak_tariff, save_own
from tests.support import Pair, RunningNode

AMS = ZoneInfo("Europe/Amsterdam")
FOUR = Decimal("0.0001")


def money(value: Decimal) -> Decimal:
    return value.quantize(FOUR)


def session_json(**extra) -> dict:
    """A completed 2-hour session 10:00-12:00 UTC (11:00-13:00 in Amsterdam): 8 kWh + 1 h parked."""
    fields = {
        "start_date_time": "2026-01-05T10:00:00Z",
        "end_date_time": "2026-01-05T12:00:00Z",
        "status": "COMPLETED",
        "charging_periods": [
            {
                "start_date_time": "2026-01-05T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": 8}, {"type": "TIME", "volume": 1}],
            },
            {
                "start_date_time": "2026-01-05T11:00:00Z",
                "dimensions": [{"type": "PARKING_TIME", "volume": 1}],
            },
        ],
    }
    return factories.session(**{**fields, **extra})


async def seed(node: RunningNode, tariff: dict) -> None:
    await save_own(node, locs=[location("LOC1", [tariff["id"]], AMSTERDAM)], tars=[tariff])


async def test_session_price_is_the_engines_in_the_location_time_zone(cpo: RunningNode):
    await seed(cpo, peak_tariff())
    session = session_json()
    expected = engine.price(engine.parse_tariff(peak_tariff()), engine.parse_session(session), AMS)
    cost = await price_session(cpo.db, session)
    assert cost is not None
    assert (cost.excl_vat, cost.incl_vat) == (
        money(expected.total_cost.excl_vat),
        money(expected.total_cost.incl_vat),
    )
    # 8 kWh at the 11:00-23:00 local price (0.40) + 1 h parking = 4.20; in UTC it would differ.
    assert cost.excl_vat == Decimal("4.2")
    in_utc = engine.price(
        engine.parse_tariff(peak_tariff()), engine.parse_session(session), ZoneInfo("UTC")
    )
    assert in_utc.total_cost.excl_vat != cost.excl_vat


async def test_running_session_is_priced_up_to_its_last_period(cpo: RunningNode):
    await seed(cpo, energy_tariff("T1", 0.25))
    running = session_json(status="ACTIVE")
    del running["end_date_time"]
    cost = await price_session(cpo.db, running)
    assert cost is not None and cost.excl_vat == Decimal("2.5")  # 0.50 + 8 x 0.25


async def test_session_without_a_known_tariff_has_no_price(cpo: RunningNode):
    await save_own(cpo, locs=[location("LOC1", ["NOPE"], AMSTERDAM)])
    assert await price_session(cpo.db, session_json()) is None


async def test_cdr_totals_and_tariffs_come_from_the_engine(cpo: RunningNode):
    await seed(cpo, peak_tariff())
    cdr = CDR.model_validate(
        factories.cdr(
            start_date_time="2026-01-05T10:00:00Z",
            end_date_time="2026-01-05T12:00:00Z",
            charging_periods=session_json()["charging_periods"],
            total_cost={"excl_vat": 0},
        )
    )
    priced = await price_local_cdr(cpo.db, cdr)
    expected = engine.price(
        engine.parse_tariff(peak_tariff()), engine.parse_cdr(cdr.to_wire()), AMS
    )
    for field in (
        "total_cost",
        "total_fixed_cost",
        "total_energy_cost",
        "total_time_cost",
        "total_parking_cost",
        "total_reservation_cost",
    ):
        mine, theirs = getattr(priced, field), getattr(expected, field)
        assert (mine.excl_vat, mine.incl_vat) == (money(theirs.excl_vat), money(theirs.incl_vat))
    assert priced.total_energy == Decimal(8)
    assert priced.total_time == Decimal(2)
    assert priced.total_parking_time == Decimal(1)
    assert priced.total_parking_cost is not None and priced.total_parking_cost.excl_vat == 1
    assert [t.id for t in priced.tariffs or []] == ["PEAK"]
    again = await price_cdr(cpo.db, priced.to_wire())
    assert again is not None and again.tariff.id == "PEAK" and again.zone.key == AMS.key


def test_choice_prefers_the_periods_tariff_then_active_regular_tariffs():
    at = datetime(2026, 1, 5, 10, tzinfo=UTC)
    ad_hoc = Candidate(energy_tariff("ADHOC", 0.1, type="AD_HOC_PAYMENT"), "stored")
    old = Candidate(energy_tariff("OLD", 0.1, end_date_time="2025-12-31T00:00:00Z"), "stored")
    regular = Candidate(energy_tariff("REG", 0.3), "stored")
    choice, _ = choose_tariff([ad_hoc, old, regular], at)
    assert choice is not None and choice.id == "REG"
    choice, _ = choose_tariff([ad_hoc, old, regular], at, preferred_ids=["adhoc"])
    assert choice is not None and choice.id == "ADHOC"
    choice, reason = choose_tariff([old], at)
    assert choice is None and "OLD" in reason
    choice, reason = choose_tariff([regular], at, currency="CHF")
    assert choice is None and "CHF" in reason


async def test_simulated_session_and_cdr_are_priced_by_the_service(pair: Pair):
    await seed(pair.cpo, energy_tariff("T1", 0.25))
    peer = await only_peer(pair.emsp)
    body = {"token": command_token(), "location_id": "LOC1", "evse_uid": "LOC1-1"}
    uid, _ = await send_command(pair.emsp.db, pair.emsp.client, peer, "START_SESSION", body)
    await poll(lambda: get_command(pair.emsp.db, uid), lambda r: r is not None and r.result)

    async def running() -> dict | None:
        from ocpikit.storage.objects import ListQuery, ObjectStore

        async with pair.cpo.db.connect() as conn:
            found = await ObjectStore(conn).all(ListQuery(module="sessions", is_local=True))
        return found[0].parsed() if found else None

    session = await poll(running, lambda s: s is not None and len(s["charging_periods"]) >= 2)
    assert session is not None and "total_cost" in session
    expected = await price_session(pair.cpo.db, session)
    assert expected is not None
    assert Decimal(str(session["total_cost"]["excl_vat"])) == expected.excl_vat
    assert session["total_cost"]["excl_vat"] >= 0.5  # the start fee at least

    uid, _ = await send_command(
        pair.emsp.db, pair.emsp.client, peer, "STOP_SESSION", {"session_id": session["id"]}
    )
    await poll(lambda: get_command(pair.emsp.db, uid), lambda r: r is not None and r.result)
    cdr = await stored(pair.cpo, "cdrs", session["id"])
    assert cdr is not None
    tariff = engine.parse_tariff(energy_tariff("T1", 0.25))
    result = engine.price(tariff, engine.parse_cdr(cdr), AMS)
    assert Decimal(str(cdr["total_cost"]["excl_vat"])) == money(result.total_cost.excl_vat)
    assert Decimal(str(cdr["total_cost"]["incl_vat"])) == money(result.total_cost.incl_vat)
    assert Decimal(str(cdr["total_energy_cost"]["excl_vat"])) == money(
        result.total_energy_cost.excl_vat
    )
    assert cdr["total_reservation_cost"] == {"excl_vat": 0, "incl_vat": 0}
    assert [t["id"] for t in cdr["tariffs"]] == ["T1"]
    final = await stored(pair.cpo, "sessions", session["id"])
    assert final is not None and final["status"] == "COMPLETED"
    assert final["total_cost"] == cdr["total_cost"]
