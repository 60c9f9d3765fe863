"""``ocpikit price``: price a CDR (or a Session's charging periods) with a Tariff.

Register it in the main CLI with ``app.command("price")(price.price_command)`` (this module also
exposes ``app``, a Typer app whose single command is the same function).

Restrictions are evaluated in local time: ``--timezone`` (an IANA name) when given, else the
zone the CDR's location implies (see :mod:`ocpikit.tariffs.timezones`), else UTC. Amounts are
exact decimals (OCPI leaves rounding to law and contracts): ``--json`` prints them as JSON
numbers without rounding; the tables show 4 decimals.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from ocpikit.tariffs import (
    Cost,
    PriceResult,
    PricingInput,
    Tariff,
    parse_cdr,
    parse_session,
    parse_tariff,
    price,
    resolve_time_zone,
)

__all__ = ["app", "price_command", "result_to_json"]

app = typer.Typer(help="Price a CDR or Session with a Tariff.", add_completion=False)

_stdout = Console(highlight=False, soft_wrap=True)
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)
_FOUR = Decimal("0.0001")
_LABELS = {"ENERGY": "energy", "FLAT": "flat", "TIME": "time", "PARKING_TIME": "parking"}


def _fail(message: str) -> NoReturn:
    _stderr.print(f"error: {message}", markup=False)
    raise typer.Exit(1)


def _load_json(path: Path, what: str) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"cannot read the {what} file {path}: {exc.strerror or exc}.")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"the {what} file {path} is not valid JSON: {exc}.")
    # Accept an OCPI response envelope as well as the bare object.
    if isinstance(data, Mapping) and "data" in data and "status_code" in data:
        data = data["data"]
    if not isinstance(data, Mapping):
        _fail(f"the {what} file {path} must hold one JSON object.")
    return data


def _inputs(tariff_file: Path, cdr_file: Path) -> tuple[Tariff, PricingInput]:
    tariff_data = _load_json(tariff_file, "tariff")
    usage_data = _load_json(cdr_file, "CDR")
    try:
        tariff = parse_tariff(tariff_data)
    except ValueError as exc:
        _fail(f"the tariff in {tariff_file} is invalid: {exc}.")
    try:
        # A Session has a required ``status``; a CDR has none.
        usage = parse_session(usage_data) if "status" in usage_data else parse_cdr(usage_data)
    except ValueError as exc:
        _fail(f"the CDR in {cdr_file} is invalid: {exc}.")
    return tariff, usage


def _num(value: Decimal) -> Decimal:
    return value.normalize() if value == value.to_integral_value() else value


def _cost(cost: Cost) -> dict[str, Decimal]:
    return {"excl_vat": cost.excl_vat, "incl_vat": cost.incl_vat}


def result_to_json(result: PriceResult, time_zone: str) -> dict[str, Any]:
    """The ``--json`` document (Decimals are rendered as JSON numbers by :func:`_dumps`)."""
    return {
        "currency": result.currency,
        "time_zone": time_zone,
        "total_cost": _cost(result.total_cost),
        "total_fixed_cost": _cost(result.total_fixed_cost),
        "total_energy_cost": _cost(result.total_energy_cost),
        "total_time_cost": _cost(result.total_time_cost),
        "total_parking_cost": _cost(result.total_parking_cost),
        "total_reservation_cost": _cost(result.total_reservation_cost),
        "total_energy": result.total_energy,
        "total_time": result.total_time,
        "total_parking_time": result.total_parking_time,
        "total_reservation_time": result.total_reservation_time,
        "min_price_applied": result.min_price_applied,
        "max_price_applied": result.max_price_applied,
        "periods": [
            {
                "period_index": p.period_index,
                "start_date_time": p.start_date_time.isoformat(),
                "end_date_time": p.end_date_time.isoformat(),
                "lines": [
                    {
                        "dimension": line.dimension.value,
                        "reservation": line.reservation,
                        "quantity": line.quantity,
                        "billed_quantity": line.billed_quantity,
                        "price": None if line.component is None else line.component.price,
                        "element_index": line.element_index,
                        "cost": _cost(line.cost),
                    }
                    for line in p.lines
                ],
            }
            for p in result.periods
        ],
    }


def _dumps(value: Any) -> str:
    """JSON with Decimals written as exact numbers (``json`` would need floats)."""
    if isinstance(value, Decimal):
        text = format(_num(value), "f")
        return "0" if text in ("-0", "0.0") else text
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_dumps(v) for v in value) + "]"
    return json.dumps(value)


def _fmt(value: Decimal) -> str:
    return str(value.quantize(_FOUR))


def _print_tables(result: PriceResult, tz: ZoneInfo) -> None:
    table = Table(title=f"Charging periods (local time, {tz.key})")
    for column in ("Period", "Dimension", "Used", "Billed", "Price", "Excl.", "Incl."):
        table.add_column(column, no_wrap=True)
    for p in result.periods:
        start, end = p.start_date_time.astimezone(tz), p.end_date_time.astimezone(tz)
        when = f"{start:%m-%d %H:%M}-{end:%H:%M}"
        for line in p.lines:
            dim = ("resv. " if line.reservation else "") + _LABELS[line.dimension.value]
            table.add_row(
                when,
                dim,
                _fmt(line.quantity),
                _fmt(line.billed_quantity),
                "free" if line.component is None else str(line.component.price),
                _fmt(line.cost.excl_vat),
                _fmt(line.cost.incl_vat),
            )
    _stdout.print(table)
    totals = Table(title=f"Totals ({result.currency})")
    totals.add_column("Total")
    totals.add_column("Excl. VAT")
    totals.add_column("Incl. VAT")
    for label, cost in (
        ("fixed", result.total_fixed_cost),
        ("energy", result.total_energy_cost),
        ("time", result.total_time_cost),
        ("parking", result.total_parking_cost),
        ("reservation", result.total_reservation_cost),
        ("cost", result.total_cost),
    ):
        totals.add_row(label, _fmt(cost.excl_vat), _fmt(cost.incl_vat))
    _stdout.print(totals)
    _stdout.print(
        f"energy {_fmt(result.total_energy)} kWh, time {_fmt(result.total_time)} h, "
        f"parking {_fmt(result.total_parking_time)} h"
        + (" (min_price applied)" if result.min_price_applied else "")
        + (" (max_price applied)" if result.max_price_applied else "")
    )


@app.command("price")
def price_command(
    tariff: Annotated[
        Path, typer.Option("--tariff", help="OCPI 2.2.1 Tariff JSON file.", show_default=False)
    ],
    cdr: Annotated[
        Path,
        typer.Option("--cdr", help="OCPI 2.2.1 CDR (or Session) JSON file.", show_default=False),
    ],
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone", help="IANA time zone of the location (default: from the CDR, else UTC)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Price a CDR (or a Session's charging periods) with a tariff."""
    tariff_model, usage = _inputs(tariff, cdr)
    try:
        tz = resolve_time_zone(timezone, usage.location)
    except ValueError as exc:
        _fail(f"{exc}.")
    result = price(tariff_model, usage, tz)
    result.periods  # noqa: B018 - build the breakdown before printing anything
    if as_json:
        print(_dumps(result_to_json(result, tz.key)))
    else:
        _print_tables(result, tz)
