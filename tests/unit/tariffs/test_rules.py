"""Restriction semantics, splitting, DST, parsing errors, time zones and estimates."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ocpikit.tariffs import (
    estimate,
    parse_cdr,
    parse_session,
    parse_tariff,
    price,
    resolve_time_zone,
    zone_for_location,
)
from ocpikit.tariffs.model import LocationHint
from tests.unit.tariffs.helpers import D, approx, hours, tariff, usage

AMS = ZoneInfo("Europe/Amsterdam")


def night_day(start_time: str, end_time: str) -> object:
    return tariff(
        {
            "price_components": [{"type": "TIME", "price": 10, "step_size": 1}],
            "restrictions": {"start_time": start_time, "end_time": end_time},
        },
        {"price_components": [{"type": "TIME", "price": 1, "step_size": 1}]},
    )


@pytest.mark.parametrize(
    ("window", "at", "expected"),
    [
        (("22:00", "06:00"), "23:30", 10),  # wraps over midnight
        (("22:00", "06:00"), "05:59", 10),
        (("22:00", "06:00"), "06:00", 1),  # end_time is exclusive
        (("22:00", "06:00"), "12:00", 1),
        (("20:00", "00:00"), "23:59", 10),  # 00:00 = end of day
        (("20:00", "00:00"), "00:00", 1),
        (("09:00", "09:00"), "03:00", 10),  # equal: the whole day
    ],
)
def test_time_of_day_windows(window: tuple[str, str], at: str, expected: int) -> None:
    t = night_day(*window)
    s = f"2024-03-05T{at}:00Z"
    cdr = usage(s, s, (s, {"TIME": hours(1)}))  # zero wall-clock length: no boundary inside
    assert price(t, cdr, ZoneInfo("UTC")).total_time_cost.excl_vat == D(expected) / 60  # type: ignore[arg-type]


def test_a_period_over_a_time_boundary_is_split_and_interpolated() -> None:
    t = night_day("22:00", "06:00")
    cdr = usage(
        "2024-03-05T21:00:00Z",
        "2024-03-05T23:00:00Z",
        ("2024-03-05T21:00:00Z", {"TIME": 2, "ENERGY": 20}),
    )
    result = price(t, cdr, ZoneInfo("UTC"))  # type: ignore[arg-type]
    assert result.total_time_cost.excl_vat == D(11)
    assert [p.energy for p in result.periods] == [D(10), D(10)]


def test_restrictions_use_local_time_across_the_dst_change() -> None:
    # 2024-03-31 02:00 CET -> 03:00 CEST. A window 01:00-04:00 local is 00:00Z-02:00Z that night.
    t = night_day("01:00", "04:00")
    cdr = usage(
        "2024-03-30T23:00:00Z", "2024-03-31T03:00:00Z", ("2024-03-30T23:00:00Z", {"TIME": 4})
    )
    result = price(t, cdr, AMS)  # type: ignore[arg-type]
    # 00:00-01:00 local at 1, 01:00-04:00 local (2 real hours) at 10, 04:00-05:00 local at 1
    assert approx(result.total_time_cost.excl_vat) == D(22)
    assert [p.start_date_time.astimezone(AMS).hour for p in result.periods] == [0, 1, 4]


def test_day_of_week_and_dates_are_local_and_end_date_is_exclusive() -> None:
    t = tariff(
        {
            "price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}],
            "restrictions": {
                "day_of_week": ["SUNDAY"],
                "start_date": "2024-03-01",
                "end_date": "2024-04-01",
            },
        },
        {"price_components": [{"type": "ENERGY", "price": 2, "step_size": 1}]},
    )
    # Saturday 23:30Z is Sunday 00:30 in Amsterdam.
    cdr = usage(
        "2024-03-09T23:30:00Z", "2024-03-09T23:40:00Z", ("2024-03-09T23:30:00Z", {"ENERGY": 1})
    )
    assert price(t, cdr, AMS).total_cost.excl_vat == D(1)
    assert price(t, cdr, ZoneInfo("UTC")).total_cost.excl_vat == D(2)
    april = usage(
        "2024-03-31T22:30:00Z", "2024-03-31T22:40:00Z", ("2024-03-31T22:30:00Z", {"ENERGY": 1})
    )
    assert price(t, april, AMS).total_cost.excl_vat == D(2)  # 2024-04-01 local: past end_date


def test_kwh_boundary_inside_a_period_is_interpolated() -> None:
    t = tariff(
        {
            "price_components": [{"type": "ENERGY", "price": 0, "step_size": 1}],
            "restrictions": {"max_kwh": 5},
        },
        {"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}]},
    )
    cdr = usage(
        "2024-03-05T10:00:00Z",
        "2024-03-05T12:00:00Z",
        ("2024-03-05T10:00:00Z", {"ENERGY": 20, "TIME": 2}),
    )
    result = price(t, cdr, ZoneInfo("UTC"))
    assert result.total_cost.excl_vat == D(15)
    assert result.periods[1].start_date_time == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)


def test_current_restrictions_do_not_match_an_unknown_current() -> None:
    t = tariff(
        {
            "price_components": [{"type": "TIME", "price": 9, "step_size": 1}],
            "restrictions": {"max_current": 32},
        },
        {"price_components": [{"type": "TIME", "price": 1, "step_size": 1}]},
    )
    cdr = usage(
        "2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z", ("2024-03-05T10:00:00Z", {"TIME": 1})
    )
    assert price(t, cdr, ZoneInfo("UTC")).total_cost.excl_vat == D(1)


def test_flat_is_charged_once_per_distinct_component() -> None:
    t = tariff(
        {
            "price_components": [{"type": "FLAT", "price": 1, "step_size": 0}],
            "restrictions": {"end_time": "12:00"},
        },
        {"price_components": [{"type": "FLAT", "price": 2, "step_size": 0}]},
    )
    cdr = usage(
        "2024-03-05T11:00:00Z",
        "2024-03-05T14:00:00Z",
        ("2024-03-05T11:00:00Z", {"TIME": 1}),
        ("2024-03-05T12:00:00Z", {"TIME": 1}),
        ("2024-03-05T13:00:00Z", {"TIME": 1}),
    )
    assert price(t, cdr, ZoneInfo("UTC")).total_fixed_cost.excl_vat == D(3)


def test_first_component_of_a_dimension_in_an_element_wins() -> None:
    t = tariff(
        {
            "price_components": [
                {"type": "ENERGY", "price": 1, "step_size": 1},
                {"type": "ENERGY", "price": 5, "step_size": 1},
            ]
        }
    )
    cdr = usage(
        "2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z", ("2024-03-05T10:00:00Z", {"ENERGY": 2})
    )
    assert price(t, cdr, ZoneInfo("UTC")).total_cost.excl_vat == D(2)


def test_min_price_without_incl_vat_keeps_incl_at_least_excl() -> None:
    t = tariff(
        {"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 10, "step_size": 1}]},
        min_price={"excl_vat": 0.5},
    )
    cdr = usage(
        "2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z", ("2024-03-05T10:00:00Z", {"ENERGY": 1})
    )
    total = price(t, cdr, ZoneInfo("UTC")).total_cost
    assert (total.excl_vat, total.incl_vat) == (D("0.5"), D("0.5"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"currency": "EUR"}, "elements: required field is missing"),
        (
            {
                "currency": "EUR",
                "elements": [
                    {"price_components": [{"type": "ENERGY", "price": "x", "step_size": 1}]}
                ],
            },
            "elements[0].price_components[0].price",
        ),
        (
            {
                "currency": "EUR",
                "elements": [{"price_components": [{"type": "KWH", "price": 1, "step_size": 1}]}],
            },
            "elements[0].price_components[0].type",
        ),
        (
            {"currency": "EUR", "elements": [{"price_components": [{"type": "TIME", "price": 1}]}]},
            "step_size: required",
        ),
        (
            {
                "currency": "EUR",
                "elements": [
                    {
                        "price_components": [{"type": "TIME", "price": 1, "step_size": 1}],
                        "restrictions": {"start_time": "25:00"},
                    }
                ],
            },
            "restrictions.start_time",
        ),
        (
            {
                "currency": "EUR",
                "elements": [
                    {
                        "price_components": [{"type": "TIME", "price": 1, "step_size": 1}],
                        "restrictions": {"day_of_week": ["FUNDAY"]},
                    }
                ],
            },
            "day_of_week[0]",
        ),
    ],
)
def test_parse_tariff_errors_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_tariff(data)


def test_parse_cdr_errors_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"charging_periods\[0\]\.dimensions\[0\]\.volume"):
        parse_cdr(
            {
                "start_date_time": "2024-03-05T10:00:00Z",
                "end_date_time": "2024-03-05T11:00:00Z",
                "charging_periods": [
                    {"start_date_time": "2024-03-05T10:00:00Z", "dimensions": [{"type": "ENERGY"}]}
                ],
            }
        )
    with pytest.raises(ValueError, match="start_date_time"):
        parse_cdr(
            {
                "start_date_time": "yesterday",
                "end_date_time": "2024-03-05T11:00:00Z",
                "charging_periods": [],
            }
        )


def test_an_ongoing_session_ends_after_its_last_volumes() -> None:
    s = parse_session(
        {
            "status": "ACTIVE",
            "start_date_time": "2024-03-05T10:00:00Z",
            "charging_periods": [
                {
                    "start_date_time": "2024-03-05T10:00:00Z",
                    "dimensions": [{"type": "TIME", "volume": 1.5}],
                }
            ],
        }
    )
    assert price(night_day("22:00", "06:00"), s, ZoneInfo("UTC")).total_time == D("1.5")  # type: ignore[arg-type]


def _session_from_a_reservation(first: str) -> dict:
    return {
        "status": "ACTIVE",
        "start_date_time": "2024-03-05T10:00:00Z",  # when it became ACTIVE
        "charging_periods": [
            {
                "start_date_time": "2024-03-05T09:30:00Z",
                "dimensions": [{"type": first, "volume": 0.5}],
            },
            {
                "start_date_time": "2024-03-05T10:00:00Z",
                "dimensions": [{"type": "TIME", "volume": 1}],
            },
        ],
    }


def test_a_reservation_period_may_precede_the_active_start_of_its_session() -> None:
    s = parse_session(_session_from_a_reservation("RESERVATION_TIME"))
    assert s.charging_periods[0].reservation_time == D("0.5")
    with pytest.raises(ValueError, match=r"charging_periods\[0\].start_date_time: before"):
        parse_session(_session_from_a_reservation("TIME"))


@pytest.mark.parametrize(
    ("country", "lat", "lon", "zone"),
    [
        ("NLD", None, None, "Europe/Amsterdam"),
        ("nld", "52.1", "5.1", "Europe/Amsterdam"),
        ("USA", None, None, "America/New_York"),
        ("USA", "34.05", "-118.24", "America/Los_Angeles"),
        ("AUS", "-31.95", "115.86", "Australia/Perth"),
        ("ESP", "28.1", "-15.4", "Atlantic/Canary"),
        ("XXX", None, None, None),
    ],
)
def test_zone_for_location(
    country: str, lat: str | None, lon: str | None, zone: str | None
) -> None:
    assert (
        zone_for_location(
            country, None if lat is None else Decimal(lat), None if lon is None else Decimal(lon)
        )
        == zone
    )


def test_resolve_time_zone_order() -> None:
    assert resolve_time_zone("Asia/Tokyo", LocationHint(country="NLD")).key == "Asia/Tokyo"
    assert resolve_time_zone(None, LocationHint(country="BEL")).key == "Europe/Brussels"
    assert resolve_time_zone(None, None).key == "UTC"
    with pytest.raises(ValueError, match="not a known IANA time zone"):
        resolve_time_zone("Nowhere/Town", None)


def test_estimate_charges_then_parks_at_constant_power() -> None:
    t = parse_tariff(
        {
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [
                        {"type": "ENERGY", "price": 0.3, "step_size": 1},
                        {"type": "PARKING_TIME", "price": 6, "step_size": 60},
                    ]
                },
            ],
        }
    )
    start = datetime(2024, 3, 5, 10, tzinfo=UTC)
    result = estimate(t, start, Decimal(22), 90, Decimal(22), AMS)
    assert result.total_energy_cost.excl_vat == D("6.6")
    assert approx(result.total_parking_time) == approx(D("0.5"))
    assert approx(result.total_cost.excl_vat) == D("9.6")
    # Without a power the car charges the whole stay: no parking.
    assert estimate(t, start, Decimal(22), 90, None, AMS).total_parking_cost.excl_vat == 0
    with pytest.raises(ValueError, match="timezone-aware"):
        estimate(t, datetime(2024, 3, 5, 10), Decimal(1), 10, None, AMS)  # noqa: DTZ001
