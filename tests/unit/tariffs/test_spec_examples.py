"""The worked examples of OCPI 2.2.1 (checklist section 8.6, T1-T26), with the errata applied.

Tariffs come from ``tests/data/tandemdrive`` (JSON-equal to the spec's ``examples/``) or are
built inline for the examples that only exist as prose (T22-T26).
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP
from zoneinfo import ZoneInfo

import pytest

from ocpikit.tariffs import PriceComponent, TariffDimension, price
from tests.unit.tariffs.helpers import D, approx, hours, load_tariff, tariff, usage

UTC = ZoneInfo("UTC")
AMS = ZoneInfo("Europe/Amsterdam")


def money(result_cost: object) -> tuple[object, object]:
    return (approx(result_cost.excl_vat), approx(result_cost.incl_vat))  # type: ignore[attr-defined]


def m(excl: str, incl: str) -> tuple[object, object]:
    return (approx(D(excl)), approx(D(incl)))


def test_t1_simple_energy_tariff_20_kwh_costs_5_00() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T11:00:00Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": 20, "TIME": 1}),
    )
    result = price(load_tariff("simple_025kwh"), cdr, UTC)
    assert money(result.total_cost) == m("5.00", "5.50")
    assert money(result.total_energy_cost) == m("5.00", "5.50")
    assert result.total_energy == 20


def test_t2_start_fee_is_charged_once_with_its_own_vat() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T11:00:00Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": 20, "TIME": 1}),
    )
    result = price(load_tariff("025kwh_start"), cdr, UTC)
    assert money(result.total_cost) == m("5.50", "6.10")
    assert money(result.total_fixed_cost) == m("0.50", "0.60")


@pytest.mark.parametrize(
    ("kwh", "expected", "applied"),
    [
        ("20", ("5.00", "5.50"), False),
        ("1", ("0.50", "0.55"), True),
        ("1.9", ("0.50", "0.55"), True),
    ],
)
def test_t3_min_price_raises_a_cheap_session(
    kwh: str, expected: tuple[str, str], applied: bool
) -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T11:00:00Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": kwh, "TIME": 1}),
    )
    result = price(load_tariff("025kwh_min_price"), cdr, UTC)
    assert money(result.total_cost) == m(*expected)
    assert result.min_price_applied is applied


def test_t4_parking_40_minutes_is_billed_45() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T11:40:00Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": 20, "TIME": 1}),
        ("2024-03-04T11:00:00Z", {"PARKING_TIME": hours(40)}),
    )
    result = price(load_tariff("025kwh_parking_start"), cdr, UTC)
    assert money(result.total_cost) == m("7.00", "7.90")
    assert money(result.total_parking_cost) == m("1.50", "1.80")


@pytest.mark.parametrize(
    ("kwh", "expected", "components", "capped"),
    [
        ("50", ("10.00", "11.00"), ("13.00", "14.35"), True),
        ("30", ("8.00", "8.85"), ("8.00", "8.85"), False),
    ],
)
def test_t5_max_price_caps_the_total_only(
    kwh: str, expected: tuple[str, str], components: tuple[str, str], capped: bool
) -> None:
    cdr = usage(
        "2019-06-01T10:00:00Z",
        "2019-06-01T13:00:00Z",
        ("2019-06-01T10:00:00Z", {"ENERGY": kwh, "TIME": 3}),
    )
    result = price(load_tariff("025kwh_start_max_price"), cdr, UTC)
    assert money(result.total_cost) == m(*expected)
    assert money(result.components_total) == m(*components)
    assert result.max_price_applied is capped
    assert money(result.price_adjustment) == m(
        str(D(expected[0]) - D(components[0])), str(D(expected[1]) - D(components[1]))
    )


def test_t6_time_tariff_does_not_bill_parking() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T13:00:00Z",
        ("2024-03-04T10:00:00Z", {"TIME": "2.5", "ENERGY": 30}),
        ("2024-03-04T12:30:00Z", {"PARKING_TIME": "0.5"}),
    )
    result = price(load_tariff("simple_2hour"), cdr, UTC)
    assert money(result.total_cost) == m("5.00", "5.50")
    assert money(result.total_parking_cost) == m("0", "0")
    assert result.total_parking_time == D("0.5")


def test_t7_time_and_parking_150_plus_42_minutes() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T13:12:00Z",
        ("2024-03-04T10:00:00Z", {"TIME": "2.5"}),
        ("2024-03-04T12:30:00Z", {"PARKING_TIME": hours(42)}),
    )
    result = price(load_tariff("simple_3hour_5parking"), cdr, UTC)
    assert money(result.total_cost) == m("11.25", "12.75")
    assert money(result.total_time_cost) == m("7.50", "8.25")
    assert money(result.total_parking_cost) == m("3.75", "4.50")


def test_t8_ad_hoc_time_tariff_with_5_2_percent_vat() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z", "2024-03-04T12:30:00Z", ("2024-03-04T10:00:00Z", {"TIME": "2.5"})
    )
    result = price(load_tariff("alt_text"), cdr, UTC)
    assert money(result.total_cost) == m("4.75", "4.997")


def test_t9_energy_step_of_100_wh_bills_20_5_kwh() -> None:
    """ERR-12: the text's 5.13/5.64 (rounded), not the 2.3.0 table's 5.11/5.62."""
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T12:00:00Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": "20.45", "TIME": 2}),
    )
    t = load_tariff("alt_url")
    result = price(t, cdr, UTC)
    assert money(result.total_energy_cost) == m("5.125", "5.6375")
    assert money(result.total_fixed_cost) == m("0.50", "0.60")
    assert money(result.total_cost) == m("5.625", "6.2375")
    assert result.total_cost.excl_vat.quantize(D("0.01"), ROUND_HALF_UP) == D("5.63")
    assert result.total_cost.incl_vat.quantize(D("0.01"), ROUND_HALF_UP) == D("6.24")
    # At the real-time price of 0.22/kWh the announced totals are 5.01 / 5.56.
    energy = dataclasses.replace(t.elements[0].price_components[1], price=D("0.22"))
    element = dataclasses.replace(
        t.elements[0], price_components=(t.elements[0].price_components[0], energy)
    )
    cheap = price(dataclasses.replace(t, elements=(element,)), cdr, UTC)
    assert cheap.total_energy_cost.excl_vat.quantize(D("0.01"), ROUND_HALF_UP) == D("4.51")
    assert cheap.total_cost.excl_vat.quantize(D("0.01"), ROUND_HALF_UP) == D("5.01")
    assert cheap.total_cost.incl_vat.quantize(D("0.01"), ROUND_HALF_UP) == D("5.56")


def test_t10_complex_tariff_monday_low_current() -> None:
    cdr = usage(
        "2024-01-15T09:30:00+01:00",
        "2024-01-15T12:57:00+01:00",
        ("2024-01-15T09:30:00+01:00", {"TIME": "2.75", "ENERGY": 10, "MAX_CURRENT": 16}),
        ("2024-01-15T12:15:00+01:00", {"PARKING_TIME": "0.7"}),
    )
    result = price(load_tariff("complex"), cdr, AMS)
    assert money(result.total_fixed_cost) == m("2.50", "2.875")
    assert money(result.total_time_cost) == m("2.75", "3.30")
    assert money(result.total_parking_cost) == m("3.75", "4.125")
    assert money(result.total_cost) == m("9.00", "10.30")


def test_t11_complex_tariff_saturday_high_current_corrected_err01() -> None:
    """ERR-01: 114 min x 1.25/h = 2.375 (the spec's table says 2.28)."""
    cdr = usage(
        "2024-01-20T13:30:00+01:00",
        "2024-01-20T16:35:00+01:00",
        ("2024-01-20T13:30:00+01:00", {"TIME": "1.9", "ENERGY": 40, "MIN_CURRENT": 43}),
        ("2024-01-20T15:24:00+01:00", {"PARKING_TIME": hours(71)}),
    )
    result = price(load_tariff("complex"), cdr, AMS)
    assert money(result.total_fixed_cost) == m("2.50", "2.875")
    assert money(result.total_time_cost) == m("2.375", "2.85")
    assert money(result.total_parking_cost) == m("7.50", "8.25")
    assert money(result.total_cost) == m("12.375", "13.975")


def test_t12_free_of_charge_tariff_costs_nothing() -> None:
    cdr = usage(
        "2024-01-20T13:30:00Z",
        "2024-01-20T16:30:00Z",
        ("2024-01-20T13:30:00Z", {"TIME": 2, "ENERGY": 40}),
        ("2024-01-20T15:30:00Z", {"PARKING_TIME": 1}),
    )
    result = price(load_tariff("free_of_charge"), cdr, UTC)
    assert money(result.total_cost) == m("0", "0")


def _reserved_session(reserved_minutes: int) -> object:
    start = "2024-03-04T10:00:00Z"
    charge = f"2024-03-04T10:{reserved_minutes:02d}:00Z"
    return usage(
        start,
        "2024-03-04T12:00:00Z",
        (start, {"RESERVATION_TIME": hours(reserved_minutes)}),
        (charge, {"ENERGY": 20, "TIME": 1}),
    )


def test_t13_reservation_time_is_priced_by_the_reservation_element() -> None:
    result = price(load_tariff("reservation_5_euro_per_hour"), _reserved_session(15), UTC)  # type: ignore[arg-type]
    assert money(result.total_reservation_cost) == m("1.25", "1.50")
    assert money(result.total_cost) == m("6.75", "7.60")
    assert result.reservation_expired is False


def test_t14_reservation_fee_and_time_rounded_to_5_minutes() -> None:
    result = price(
        load_tariff("reservation_2_euro_fee_5_euro_per_hour"), _reserved_session(13), UTC
    )  # type: ignore[arg-type]
    assert money(result.total_reservation_cost) == m("3.25", "3.90")
    assert money(result.total_fixed_cost) == m("0.50", "0.60")
    assert money(result.total_cost) == m("8.75", "10.00")


def test_t15a_used_reservation_does_not_pay_the_expiry_fee() -> None:
    result = price(load_tariff("reservation_with_expire_fee"), _reserved_session(22), UTC)  # type: ignore[arg-type]
    assert money(result.total_reservation_cost) == m("1.00", "1.20")
    assert money(result.total_cost) == m("6.50", "7.30")


def test_t15b_expired_reservation_pays_fee_and_time_but_no_start_fee() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T11:00:00Z",
        ("2024-03-04T10:00:00Z", {"RESERVATION_TIME": 1}),
    )
    result = price(load_tariff("reservation_with_expire_fee"), cdr, UTC)
    assert result.reservation_expired is True
    assert money(result.total_fixed_cost) == m("0", "0")
    assert money(result.total_cost) == m("6.00", "7.20")


def test_t16a_reservation_time_rounded_to_10_minutes() -> None:
    result = price(load_tariff("reservation_with_expire_time"), _reserved_session(22), UTC)  # type: ignore[arg-type]
    assert money(result.total_reservation_cost) == m("1.50", "1.80")
    assert money(result.total_cost) == m("7.00", "7.90")


def test_t16b_expired_reservation_time_uses_the_expires_element() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T11:30:00Z",
        ("2024-03-04T10:00:00Z", {"RESERVATION_TIME": "1.5"}),
    )
    result = price(load_tariff("reservation_with_expire_time"), cdr, UTC)
    assert money(result.total_cost) == m("9.00", "10.80")


def test_t17_switching_element_at_17_00_then_parking() -> None:
    cdr = usage(
        "2024-03-04T16:55:00Z",
        "2024-03-04T17:07:00Z",
        ("2024-03-04T16:55:00Z", {"TIME": hours(10)}),
        ("2024-03-04T17:05:00Z", {"PARKING_TIME": hours(2)}),
    )
    result = price(load_tariff("step_size"), cdr, UTC)
    assert approx(result.total_time_cost.excl_vat) == approx(D("0.30"))
    assert approx(result.total_parking_cost.excl_vat) == approx(D("0.25"))
    assert approx(result.total_cost.excl_vat) == approx(D("0.55"))
    # The single charging period was split at 17:00 into 5 + 5 minutes.
    assert [approx(p.time * 60, 6) for p in result.periods[:2]] == [D(5), D(5)]


def test_t18_total_time_rounded_with_the_last_elements_step() -> None:
    cdr = usage(
        "2024-03-04T16:35:00Z",
        "2024-03-04T17:10:00Z",
        ("2024-03-04T16:35:00Z", {"TIME": hours(35)}),
    )
    result = price(load_tariff("step_size"), cdr, UTC)
    assert approx(result.total_cost.excl_vat) == approx(D("1.30"))
    billed = [line.billed_quantity * 60 for p in result.periods for line in p.lines]
    assert [approx(b, 6) for b in billed] == [D(25), D(20)]


def test_t19_free_parking_after_20_00_erratum_err02() -> None:
    """ERR-02: 0.73, not the released text's 0.80."""
    cdr = usage(
        "2024-03-04T19:40:00Z",
        "2024-03-04T20:12:00Z",
        ("2024-03-04T19:40:00Z", {"TIME": hours(12)}),
        ("2024-03-04T19:52:00Z", {"PARKING_TIME": hours(20)}),
    )
    result = price(load_tariff("step_size"), cdr, UTC)
    assert approx(result.total_time_cost.excl_vat) == approx(D("0.48"))
    assert approx(result.total_parking_cost.excl_vat) == approx(D("0.25"))
    assert approx(result.total_cost.excl_vat) == approx(D("0.73"))


def test_t20_energy_price_by_max_power() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T11:07:30Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": 1, "TIME": hours(10), "POWER": 6}),
        ("2024-03-04T10:10:00Z", {"ENERGY": 40, "TIME": hours(50), "POWER": 48}),
        ("2024-03-04T11:00:00Z", {"ENERGY": "0.5", "TIME": hours("7.5"), "POWER": 4}),
    )
    result = price(load_tariff("restriction_example_max_power"), cdr, UTC)
    assert money(result.total_cost) == m("20.30", "24.36")


def test_t21_energy_price_by_max_duration() -> None:
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T10:40:00Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": 5, "TIME": "0.5"}),
        ("2024-03-04T10:30:00Z", {"ENERGY": "1.2", "TIME": hours(10)}),
    )
    result = price(load_tariff("restriction_example_max_duration"), cdr, UTC)
    assert money(result.total_cost) == m("0.30", "0.36")


@pytest.mark.parametrize(("step", "expected"), [(1, "0.029"), (25, "0.03125"), (500, "0.125")])
def test_t22_energy_step_size_in_wh(step: int, expected: str) -> None:
    t = tariff({"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": step}]})
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T10:10:00Z",
        ("2024-03-04T10:00:00Z", {"ENERGY": "0.1152"}),
    )
    assert price(t, cdr, UTC).total_cost.excl_vat == D(expected)


def _time_and_parking(
    time_step: int, parking_step: int, time_price: float, parking_price: float
) -> object:
    return tariff(
        {
            "price_components": [
                {"type": "TIME", "price": time_price, "step_size": time_step},
                {"type": "PARKING_TIME", "price": parking_price, "step_size": parking_step},
            ]
        }
    )


def test_t23_charging_followed_by_parking_rounds_parking_only() -> None:
    t = _time_and_parking(300, 300, 1.0, 1.0)
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T10:28:00Z",
        ("2024-03-04T10:00:00Z", {"TIME": hours(21)}),
        ("2024-03-04T10:21:00Z", {"PARKING_TIME": hours(7)}),
    )
    result = price(t, cdr, UTC)  # type: ignore[arg-type]
    billed = {
        line.dimension: approx(line.billed_quantity * 60, 6)
        for p in result.periods
        for line in p.lines
    }
    assert billed == {TariffDimension.TIME: D(21), TariffDimension.PARKING_TIME: D(10)}


def test_t24_energy_step_uses_the_session_total() -> None:
    t = tariff(
        {
            "price_components": [{"type": "ENERGY", "price": 0.20, "step_size": 500}],
            "restrictions": {"end_time": "17:00"},
        },
        {"price_components": [{"type": "ENERGY", "price": 0.27, "step_size": 500}]},
    )
    cdr = usage(
        "2024-03-04T16:00:00Z",
        "2024-03-04T18:00:00Z",
        ("2024-03-04T16:00:00Z", {"ENERGY": "4.3"}),
        ("2024-03-04T17:00:00Z", {"ENERGY": "1.1"}),
    )
    result = price(t, cdr, UTC)
    assert result.total_cost.excl_vat == D("1.184")
    assert [line.billed_quantity for p in result.periods for line in p.lines] == [
        D("4.3"),
        D("1.2"),
    ]


def test_t25_time_step_uses_the_session_total() -> None:
    t = tariff(
        {
            "price_components": [{"type": "TIME", "price": 5, "step_size": 600}],
            "restrictions": {"end_time": "17:00"},
        },
        {"price_components": [{"type": "TIME", "price": 7, "step_size": 600}]},
    )
    cdr = usage(
        "2024-03-04T16:54:00Z",
        "2024-03-04T17:22:00Z",
        ("2024-03-04T16:54:00Z", {"TIME": hours(28)}),
    )
    result = price(t, cdr, UTC)
    assert approx(result.total_cost.excl_vat) == approx(D("3.30"))


def test_t26_time_then_parking_rounds_parking_total_only() -> None:
    t = _time_and_parking(600, 600, 1.0, 2.0)
    cdr = usage(
        "2024-03-04T10:00:00Z",
        "2024-03-04T10:37:00Z",
        ("2024-03-04T10:00:00Z", {"TIME": hours(21)}),
        ("2024-03-04T10:21:00Z", {"PARKING_TIME": hours(16)}),
    )
    result = price(t, cdr, UTC)  # type: ignore[arg-type]
    assert approx(result.total_time_cost.excl_vat) == approx(D("0.35"))
    assert approx(result.total_parking_cost.excl_vat) == approx(D(2) / 3)
    assert approx(result.total_cost.excl_vat, 4) == D("1.0167")


def test_price_component_vat_omitted_means_incl_equals_excl() -> None:
    t = tariff({"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]})
    cdr = usage(
        "2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z", ("2024-03-04T10:00:00Z", {"ENERGY": 4})
    )
    result = price(t, cdr, UTC)
    assert result.total_cost == result.total_energy_cost
    assert result.total_cost.incl_vat == result.total_cost.excl_vat == D("1.00")
    assert result.vat_omitted is True
    assert isinstance(t.elements[0].price_components[0], PriceComponent)
