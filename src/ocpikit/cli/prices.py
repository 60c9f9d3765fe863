"""``ocpikit compare``: what a planned charge costs at each EVSE, from the database.

Registered in :mod:`ocpikit.cli.main` as ``app.command("compare")(prices.compare)``. It calls
:func:`ocpikit.pricing.compare_prices` on the database directly (no running node needed);
``--json`` prints the same document as ``POST /api/prices/compare``. The ``--token-*`` options
give the driver's Token: Locations with ``publish=false`` are shown only when it matches their
``publish_allowed_to`` (LOC-07).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from ocpikit.cli.common import DatabaseOption, fail, run, stdout, with_database
from ocpikit.pricing import CompareRequest, compare_prices

__all__ = ["compare"]

_OPTIONS = {
    "kwh": "--kwh",
    "minutes": "--minutes",
    "start": "--start",
    "power_kw": "--power",
    "near": "--near",
    "latitude": "--near",
    "longitude": "--near",
    "radius_km": "--radius",
    "location_ids": "--location",
    "token": "--token-uid/--token-visual-number/--token-group-id",
    "uid": "--token-uid",
    "type": "--token-type",
    "visual_number": "--token-visual-number",
    "issuer": "--token-issuer",
    "group_id": "--token-group-id",
}


def _request(values: dict[str, Any]) -> CompareRequest:
    try:
        return CompareRequest.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        names = [str(p) for p in error.get("loc", ()) if isinstance(p, str)]
        option = next((_OPTIONS[n] for n in reversed(names) if n in _OPTIONS), "input")
        fail(f"{option}: {error.get('msg')}")


def _near(text: str | None, radius: float) -> dict[str, Any] | None:
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2:
        fail("--near: expected LAT,LON (for example 52.37,4.90)")
    return {"latitude": parts[0].strip(), "longitude": parts[1].strip(), "radius_km": radius}


def _amount(value: Any) -> str:
    if value is None:
        return ""
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _breakdown(price: dict[str, Any]) -> str:
    parts = [
        f"{name} {_amount(cost['incl_vat'])}"
        for name, cost in price["breakdown"].items()
        if cost["incl_vat"]
    ]
    if price["min_price_applied"]:
        parts.append("min price applied")
    if price["max_price_applied"]:
        parts.append("max price applied")
    return ", ".join(parts) or "free"


def _print_table(document: dict[str, Any]) -> None:
    query = document["query"]
    title = f"About {query['kwh']:g} kWh over {query['minutes']} min from {query['start']}"
    table = Table(title=title)
    near = query.get("near") is not None
    columns = ["#", "Location", "EVSE", "Tariff", *(["km"] if near else [])]
    columns += ["Incl. VAT", "Excl. VAT", "Breakdown incl. VAT"]
    for column in columns:
        table.add_column(column, no_wrap=column not in ("Location", "Breakdown incl. VAT"))
    for number, entry in enumerate(document["results"], 1):
        price = entry["price"]
        row = [
            str(number),
            str(entry["location_name"] or entry["location_id"]),
            f"{entry['evse_uid']}/{entry['connector_id'] or '-'}",
            str(entry["tariff_id"] or "-"),
        ]
        if near:
            row.append(f"{entry['distance_km']:.1f}")
        if price is None:
            row += ["-", "-", entry.get("reason") or "no tariff"]
        else:
            total = price["total_cost"]
            currency = entry["currency"]
            row += [
                f"{currency} {_amount(total['incl_vat'])}",
                f"{currency} {_amount(total['excl_vat'])}",
                _breakdown(price),
            ]
        table.add_row(*row)
    stdout.print(table)
    if not document["results"]:
        stdout.print("No EVSE matches.")


def compare(
    database: DatabaseOption,
    kwh: Annotated[str, typer.Option("--kwh", help="Energy to charge (kWh).", show_default=False)],
    minutes: Annotated[
        int, typer.Option("--minutes", help="Length of the stay (minutes).", show_default=False)
    ],
    start: Annotated[
        str | None,
        typer.Option("--start", help="Start, RFC 3339 with an offset (default: now)."),
    ] = None,
    power: Annotated[
        str | None,
        typer.Option("--power", help="The car's charging power (kW), capped by each connector."),
    ] = None,
    near: Annotated[
        str | None, typer.Option("--near", help="LAT,LON: only locations near this point.")
    ] = None,
    radius: Annotated[float, typer.Option("--radius", help="Radius around --near (km).")] = 10.0,
    location: Annotated[
        list[str] | None,
        typer.Option("--location", help="Only this location id (repeatable)."),
    ] = None,
    token_uid: Annotated[
        str | None, typer.Option("--token-uid", help="The driver's Token uid.")
    ] = None,
    token_type: Annotated[
        str | None, typer.Option("--token-type", help="The driver's Token type (RFID...).")
    ] = None,
    token_visual_number: Annotated[
        str | None,
        typer.Option("--token-visual-number", help="The number printed on the driver's card."),
    ] = None,
    token_issuer: Annotated[
        str | None, typer.Option("--token-issuer", help="The issuer printed on the card.")
    ] = None,
    token_group_id: Annotated[
        str | None, typer.Option("--token-group-id", help="The driver's Token group_id.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Compare what charging about X kWh over Y minutes costs at each EVSE, cheapest first.

    Locations with ``publish=false`` appear only for a matching driver's Token (``--token-*``).
    """
    values: dict[str, Any] = {"kwh": kwh, "minutes": minutes}
    if start is not None:
        values["start"] = start
    if power is not None:
        values["power_kw"] = power
    if near is not None:
        values["near"] = _near(near, radius)
    if location:
        values["location_ids"] = location
    token = {
        "uid": token_uid,
        "type": token_type,
        "visual_number": token_visual_number,
        "issuer": token_issuer,
        "group_id": token_group_id,
    }
    if any(v is not None for v in token.values()):
        values["token"] = {k: v for k, v in token.items() if v is not None}
    request = _request(values)
    document = run(with_database(database, lambda db: compare_prices(db, request)))
    if as_json:
        print(json.dumps(document))
    else:
        _print_table(document)
