"""Tariffs: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Part: ``"tariff"`` (the only one).

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| ``country_code``, ``party_id`` | (none) | out: dropped; in: from ``ctx`` |
| ``type`` | (none) | out: dropped (a 2.1.1 peer cannot tell an AD_HOC_PAYMENT or PROFILE_* tariff from a REGULAR one: callers may want to send REGULAR ones only) |
| ``min_price``, ``max_price`` | (none) | out: dropped: a 2.1.1 peer computes no minimum or maximum |
| ``start_date_time``, ``end_date_time`` | (none) | out: dropped: the 2.1.1 peer keeps the tariff until it is deleted or replaced |
| ``elements[].price_components[].vat`` | (none) | out: dropped (2.1.1 prices are excl. VAT, VAT unknown); in: absent, which 2.2.1 reads as "no VAT applies" |
| ``elements[].restrictions.min_current``/``max_current``/``reservation`` | (none) | out: the whole element is dropped (keeping it without the restriction would apply its price where it does not apply); MappingError if no element is left |
| restrictions ``start_time``/``end_time`` HH up to 23 | HH up to 29 | in: "24:00" -> "00:00" (2.2.1 reads an end before the start as past midnight) |
| ``energy_mix.environ_impact[].category`` | ``...[].source`` | renamed |
| text | text | out: non-ASCII transliterated |

Element selection: the 2.1.1 text says "the first tariff [element] in the list with matching
restrictions will be used", 2.2 looks each dimension up separately (TC-10). Elements are mapped
one to one, not restructured: the 2.1.1 spec's own Complex Tariff example (a FLAT element, then
TIME elements, then PARKING_TIME elements) only makes sense per dimension, as peers read it.
A 2.1.1 Tariff PATCH maps field by field (2.2.1 has no Tariff PATCH: callers merge it).
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211._fields import (
    Rules,
    ascii_object,
    energy_mix_to_domain,
    energy_mix_to_wire,
    owner,
    parts,
    rename,
)

__all__ = ["PARTS", "patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]

PARTS = ("tariff",)

_UNEXPRESSIBLE = ("min_current", "max_current", "reservation")
_RESTRICTIONS = (
    "start_time",
    "end_time",
    "start_date",
    "end_date",
    "min_kwh",
    "max_kwh",
    "min_power",
    "max_power",
    "min_duration",
    "max_duration",
    "day_of_week",
)
_COMPONENT: Rules = {
    "type": ("type", None),
    "price": ("price", None),
    "step_size": ("step_size", None),
}


def _element_out(element: Mapping[str, Any]) -> dict[str, Any] | None:
    restrictions = element.get("restrictions") or {}
    if any(restrictions.get(key) is not None for key in _UNEXPRESSIBLE):
        return None
    out: dict[str, Any] = {
        "price_components": [rename(c, _COMPONENT) for c in element.get("price_components", [])]
    }
    kept = {k: restrictions[k] for k in _RESTRICTIONS if restrictions.get(k) is not None}
    if element.get("restrictions") is not None:
        out["restrictions"] = kept
    return out


def _elements_out(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    mapped = [_element_out(e) for e in elements]
    kept = [e for e in mapped if e is not None]
    if not kept:
        raise MappingError(
            "every element is restricted to a current or a reservation, which 2.1.1 cannot express",
            field="elements",
        )
    return kept


_RULES_OUT: Rules = {
    "id": ("id", None),
    "currency": ("currency", None),
    "tariff_alt_text": ("tariff_alt_text", None),
    "tariff_alt_url": ("tariff_alt_url", None),
    "elements": ("elements", _elements_out),
    "energy_mix": ("energy_mix", energy_mix_to_wire),
    "last_updated": ("last_updated", None),
}


def _time_in(value: str) -> str:
    return "00:00" if value == "24:00" else value


def _element_in(element: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in element.items() if v is not None}
    restrictions = out.get("restrictions")
    if isinstance(restrictions, dict):
        out["restrictions"] = {
            k: (_time_in(v) if k in ("start_time", "end_time") else v)
            for k, v in restrictions.items()
            if v is not None
        }
    return out


_RULES_IN: Rules = {
    "id": ("id", None),
    "currency": ("currency", None),
    "tariff_alt_text": ("tariff_alt_text", None),
    "tariff_alt_url": ("tariff_alt_url", None),
    "elements": ("elements", lambda elements: [_element_in(e) for e in elements]),
    "energy_mix": ("energy_mix", energy_mix_to_domain),
    "last_updated": ("last_updated", None),
}


def to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "tariff") -> dict[str, Any]:
    """A complete domain Tariff as a complete 2.1.1 one.

    Raises:
        MappingError: when no element is left (all restricted to currents or reservations).
    """
    parts(part, PARTS)
    return ascii_object(rename(domain, _RULES_OUT))


def to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "tariff") -> dict[str, Any]:
    """A complete 2.1.1 Tariff as a complete domain one (owner from ``ctx``)."""
    parts(part, PARTS)
    return {**owner(ctx), **rename(wire, _RULES_IN)}


def patch_to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "tariff") -> dict[str, Any]:
    """Domain Tariff fields as a 2.1.1 Tariff PATCH body."""
    parts(part, PARTS)
    return ascii_object(rename(domain, _RULES_OUT))


def patch_to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "tariff") -> dict[str, Any]:
    """A 2.1.1 Tariff PATCH body as partial domain Tariff fields."""
    parts(part, PARTS)
    return rename(wire, _RULES_IN)
