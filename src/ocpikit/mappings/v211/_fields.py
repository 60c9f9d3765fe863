"""Helpers shared by the 2.1.1 mappings: field tables, ASCII text, coordinates, energy mix."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ocpikit.mappings.context import MapContext, MappingError

__all__ = [
    "Rules",
    "ascii_object",
    "ascii_text",
    "check_length",
    "coordinates_to_wire",
    "energy_mix_to_domain",
    "energy_mix_to_wire",
    "owner",
    "parts",
    "rename",
    "to_ascii",
]

# A field table: source field -> (target field, converter or None for "as is"). A converter
# returning None drops the field; fields not in the table are dropped.
Rules = Mapping[str, tuple[str, Callable[[Any], Any] | None]]


def rename(obj: Mapping[str, Any], rules: Rules) -> dict[str, Any]:
    """Apply a field table to one object (complete or partial); ``None`` values stay absent."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if value is None or key not in rules:
            continue
        target, convert = rules[key]
        converted = convert(value) if convert is not None else value
        if converted is not None:
            out[target] = converted
    return out


def parts(part: str, known: tuple[str, ...]) -> str:
    """Check a ``part`` argument against a module's parts."""
    if part not in known:
        raise ValueError(f"unknown part {part!r}; expected one of {', '.join(known)}")
    return part


def owner(ctx: MapContext) -> dict[str, str]:
    """``country_code``/``party_id`` of the objects' owner, from the context."""
    return {"country_code": ctx.country_code, "party_id": ctx.party_id}


def check_length(value: str, limit: int, field: str) -> str:
    """An id that 2.1.1 allows longer than 2.2.1 does: refuse rather than truncate it."""
    if len(value) > limit:
        raise MappingError(f"{len(value)} characters, 2.2.1 allows {limit}", field=field)
    return value


# Letters NFKD does not decompose into ASCII, and common typography.
_SPELLED = {
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
    "Œ": "OE",
    "œ": "oe",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Þ": "Th",
    "þ": "th",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "€": "EUR",
}


def ascii_text(text: str, limit: int | None = None) -> str:
    """2.2.1 text (printable Unicode) as 2.1.1 ``string`` (printable ASCII), at most ``limit``.

    Accents are stripped (``Liège`` -> ``Liege``), a few letters spelled out (``ß`` -> ``ss``),
    anything else unrepresentable becomes ``?``, control characters (DEL too) included.
    """
    if not all(" " <= c <= "~" for c in text):
        spelled = "".join(_SPELLED.get(c, c) for c in text)
        decomposed = unicodedata.normalize("NFKD", spelled)
        text = "".join(
            c if " " <= c <= "~" else "?" for c in decomposed if not unicodedata.combining(c)
        )
    return text if limit is None else text[:limit]


def ascii_object(obj: dict[str, Any]) -> dict[str, Any]:
    """Every string of a JSON object through :func:`ascii_text`."""
    return {k: to_ascii(v) for k, v in obj.items()}


def to_ascii(value: Any) -> Any:
    """Every string of a JSON-like value through :func:`ascii_text` (URLs, ids are ASCII)."""
    if isinstance(value, str):
        return ascii_text(value)
    if isinstance(value, dict):
        return {k: to_ascii(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_ascii(v) for v in value]
    return value


_SIX = Decimal("0.000001")


def _six(value: str) -> str:
    return str(Decimal(value).quantize(_SIX, rounding=ROUND_HALF_EVEN))


def coordinates_to_wire(point: Mapping[str, Any]) -> dict[str, Any]:
    """GeoLocation (or AdditionalGeoLocation) with exactly six decimals (2.2.1: 5 to 7)."""
    out = dict(point)
    for key in ("latitude", "longitude"):
        if isinstance(out.get(key), str):
            out[key] = _six(out[key])
    return out


def energy_mix_to_wire(mix: Mapping[str, Any]) -> dict[str, Any]:
    """EnergyMix: EnvironmentalImpact ``category`` is called ``source`` in 2.1.1."""
    out = dict(mix)
    if isinstance(out.get("environ_impact"), list):
        out["environ_impact"] = [
            {("source" if k == "category" else k): v for k, v in impact.items()}
            for impact in out["environ_impact"]
        ]
    return out


def energy_mix_to_domain(mix: Mapping[str, Any]) -> dict[str, Any]:
    """EnergyMix: EnvironmentalImpact ``source`` is called ``category`` in 2.2.1."""
    out = dict(mix)
    if isinstance(out.get("environ_impact"), list):
        out["environ_impact"] = [
            {("category" if k == "source" else k): v for k, v in impact.items()}
            for impact in out["environ_impact"]
        ]
    return out
