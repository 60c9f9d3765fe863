"""Builders shared by the tariff engine tests."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ocpikit.tariffs import PricingInput, Tariff, parse_cdr, parse_tariff

__all__ = ["DATA", "D", "approx", "hours", "load_tariff", "tariff", "usage"]

DATA = Path(__file__).resolve().parents[2] / "data" / "tandemdrive"


def D(value: str | int) -> Decimal:
    return Decimal(value)


def hours(minutes: int | str) -> str:
    """Minutes as an exact-as-possible hour volume string."""
    return str(Decimal(minutes) / 60)


def approx(value: Decimal, places: int = 10) -> Decimal:
    """Round away the interpolation noise (1e-28) so spec amounts compare exactly."""
    return value.quantize(Decimal(1).scaleb(-places))


def load_tariff(case: str) -> Tariff:
    """A tariff of the corpus (20 of them are the OCPI 2.2.1 spec examples, unmodified)."""
    return parse_tariff(json.loads((DATA / case / "tariff.json").read_text()))


def tariff(*elements: dict[str, Any], **extra: Any) -> Tariff:
    return parse_tariff(
        {
            "id": "T",
            "currency": "EUR",
            "elements": list(elements),
            "last_updated": "2024-01-01T00:00:00Z",
        }
        | extra
    )


def usage(start: str, end: str, *periods: tuple[str, dict[str, str | int | float]]) -> PricingInput:
    """A CDR from (period start, {dimension: volume}) pairs."""
    return parse_cdr(
        {
            "start_date_time": start,
            "end_date_time": end,
            "charging_periods": [
                {
                    "start_date_time": at,
                    "dimensions": [{"type": k, "volume": v} for k, v in dims.items()],
                }
                for at, dims in periods
            ],
        }
    )
