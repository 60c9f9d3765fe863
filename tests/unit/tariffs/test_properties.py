"""Property-based tests of the pricing engine (hypothesis)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench.bench_tariffs import COMPLEX_TARIFF
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpikit.tariffs import (
    ChargingPeriod,
    Price,
    PricingInput,
    Tariff,
    parse_tariff,
    price,
)
from tests.unit.tariffs.helpers import approx, load_tariff, tariff

AMS = ZoneInfo("Europe/Amsterdam")
TARIFFS = [
    parse_tariff(COMPLEX_TARIFF),
    load_tariff("complex"),
    load_tariff("step_size"),
    load_tariff("first_hour_kwh_free"),
    load_tariff("grace_period_parking_time"),
    load_tariff("025kwh_parking_start"),
    load_tariff("restriction_example_max_power"),
]
ENERGY_ONLY = [
    tariff(
        {
            "price_components": [{"type": "ENERGY", "price": 0.45, "step_size": 1}],
            "restrictions": {"start_time": "07:00", "end_time": "23:00"},
        },
        {"price_components": [{"type": "ENERGY", "price": 0.30, "vat": 21, "step_size": 1}]},
    ),
    tariff(
        {
            "price_components": [{"type": "ENERGY", "price": 0.50, "step_size": 1}],
            "restrictions": {"max_kwh": 10},
        },
        {
            "price_components": [{"type": "ENERGY", "price": 0.10, "step_size": 1}],
            "restrictions": {"min_kwh": 10, "max_duration": 7200},
        },
        {"price_components": [{"type": "ENERGY", "price": 0.20, "vat": 10, "step_size": 1}]},
    ),
    load_tariff("simple_025kwh"),
]

minutes = st.integers(min_value=1, max_value=150)
kwh = st.decimals(min_value=0, max_value=60, places=3)
power = st.decimals(min_value=1, max_value=150, places=1)
start = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))


@st.composite
def sessions(draw: st.DrawFn) -> PricingInput:
    at = draw(start)
    periods = []
    for _ in range(draw(st.integers(1, 6))):
        length = draw(minutes)
        if draw(st.booleans()):
            periods.append(
                ChargingPeriod(
                    at,
                    energy=draw(kwh),
                    time=Decimal(length) / 60,
                    power=draw(power),
                    current=draw(st.decimals(min_value=6, max_value=64, places=0)),
                )
            )
        else:
            periods.append(ChargingPeriod(at, parking_time=Decimal(length) / 60, power=Decimal(0)))
        at += timedelta(minutes=length)
    return PricingInput(periods[0].start_date_time, at, tuple(periods))


def split(usage: PricingInput, index: int, numerator: int) -> PricingInput:
    """Cut period ``index`` in two at ``numerator``/8 of its length, volumes pro rata."""
    periods = list(usage.charging_periods)
    p = periods[index]
    end = periods[index + 1].start_date_time if index + 1 < len(periods) else usage.end_date_time
    assert end is not None
    f = Decimal(numerator) / 8
    cut = p.start_date_time + (end - p.start_date_time) * numerator / 8
    first = dataclasses.replace(
        p, energy=p.energy * f, time=p.time * f, parking_time=p.parking_time * f
    )
    second = dataclasses.replace(
        p,
        start_date_time=cut,
        energy=p.energy - first.energy,
        time=p.time - first.time,
        parking_time=p.parking_time - first.parking_time,
    )
    periods[index : index + 1] = [first, second]
    return dataclasses.replace(usage, charging_periods=tuple(periods))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(TARIFFS), sessions(), st.data())
def test_splitting_a_period_never_changes_the_price(
    t: Tariff, usage: PricingInput, data: st.DataObject
) -> None:
    """Periods are cut pro rata (constant rate), as the engine itself cuts them at restriction
    boundaries, so this holds whether or not a boundary lies in the period."""
    index = data.draw(st.integers(0, len(usage.charging_periods) - 1))
    whole = price(t, usage, AMS)
    parts = price(t, split(usage, index, data.draw(st.integers(1, 7))), AMS)
    assert approx(parts.total_cost.excl_vat) == approx(whole.total_cost.excl_vat)
    assert approx(parts.total_cost.incl_vat) == approx(whole.total_cost.incl_vat)
    assert approx(parts.total_energy) == approx(whole.total_energy)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(TARIFFS), sessions(), st.data())
def test_splitting_where_no_restriction_boundary_lies_keeps_every_segment_price(
    t: Tariff, usage: PricingInput, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(usage.charging_periods) - 1))
    whole = price(t, usage, AMS)
    segments = [s for s in whole.periods if s.period_index == index]
    if len(segments) != 1:
        return  # a boundary lies in this period: covered by the test above
    parts = price(t, split(usage, index, data.draw(st.integers(1, 7))), AMS)
    assert len(parts.periods) == len(whole.periods) + 1
    assert approx(parts.components_total.excl_vat) == approx(whole.components_total.excl_vat)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ENERGY_ONLY), sessions(), st.decimals(min_value=0, max_value=30, places=3))
def test_more_energy_never_costs_less_under_an_energy_only_tariff(
    t: Tariff, usage: PricingInput, extra: Decimal
) -> None:
    """With a step_size of 1 Wh and whole-Wh volumes (no rounding extra); see
    ``test_step_size_can_make_more_energy_cost_less`` for coarser steps."""
    periods = list(usage.charging_periods)
    last = periods[-1]
    periods[-1] = dataclasses.replace(last, energy=last.energy + extra)
    more = dataclasses.replace(usage, charging_periods=tuple(periods))
    assert price(t, more, AMS).total_cost.excl_vat >= price(t, usage, AMS).total_cost.excl_vat


def test_step_size_can_make_more_energy_cost_less() -> None:
    """A documented consequence of the spec's rule (rounding billed at the last period's price):
    0.45 kWh rounds up to 1 kWh at 0.50; 0.55 kWh ends in the 0.10 tier, rounded there."""
    t = tariff(
        {
            "price_components": [{"type": "ENERGY", "price": 0.5, "step_size": 1000}],
            "restrictions": {"max_kwh": 0.5},
        },
        {"price_components": [{"type": "ENERGY", "price": 0.1, "step_size": 1000}]},
    )
    at = datetime(2024, 3, 4, 10, tzinfo=UTC)

    def cost(energy: str) -> Decimal:
        usage = PricingInput(
            at,
            at + timedelta(hours=1),
            (ChargingPeriod(at, energy=Decimal(energy), time=Decimal(1)),),
        )
        return price(t, usage, AMS).total_cost.excl_vat

    assert cost("0.45") == Decimal("0.500")
    assert cost("0.55") == Decimal("0.300")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(TARIFFS),
    sessions(),
    st.decimals(min_value=0, max_value=20, places=2),
    st.decimals(min_value=0, max_value=40, places=2),
    st.booleans(),
)
def test_min_and_max_price_always_bound_the_total(
    t: Tariff, usage: PricingInput, low: Decimal, width: Decimal, with_incl: bool
) -> None:
    high = low + width
    lo = Price(low, low * Decimal("1.21") if with_incl else None)
    hi = Price(high, high * Decimal("1.21") if with_incl else None)
    bounded = dataclasses.replace(t, min_price=lo, max_price=hi)
    total = price(bounded, usage, AMS).total_cost
    assert low <= total.excl_vat <= high
    if with_incl:
        assert lo.incl_vat is not None and hi.incl_vat is not None
        assert lo.incl_vat <= total.incl_vat <= hi.incl_vat


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(TARIFFS + ENERGY_ONLY), sessions())
def test_totals_equal_the_sum_of_components(t: Tariff, usage: PricingInput) -> None:
    result = price(t, usage, AMS)
    parts = (
        result.total_fixed_cost,
        result.total_energy_cost,
        result.total_time_cost,
        result.total_parking_cost,
        result.total_reservation_cost,
    )
    assert result.components_total.excl_vat == sum(p.excl_vat for p in parts)
    assert result.components_total.incl_vat == sum(p.incl_vat for p in parts)
    assert result.total_cost == result.components_total + result.price_adjustment
    lines = [line for p in result.periods for line in p.lines]
    assert approx(sum((line.cost.excl_vat for line in lines), Decimal(0))) == approx(
        result.components_total.excl_vat
    )
    assert approx(sum((line.cost.incl_vat for line in lines), Decimal(0))) == approx(
        result.components_total.incl_vat
    )
    assert result.total_energy == sum((p.energy for p in usage.charging_periods), Decimal(0))
