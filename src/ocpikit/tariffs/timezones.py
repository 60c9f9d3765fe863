"""Which time zone the restrictions of a tariff are evaluated in.

Order (the CLI's documented behaviour): an explicit IANA name; else the Location's
``time_zone`` when the input carries one; else the zone the CDR location's country implies
(``CdrLocation.country``, ISO 3166-1 alpha-3): a country with a single zone maps to it; for a
country with several zones, the zone whose principal city (tz database ``zone.tab``) is nearest
to the location's coordinates (a rough choice: zone borders are not followed), or the
country's main zone when there are no coordinates; else UTC.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ocpikit.tariffs._zonedata import MAIN_ZONE, ZONE_TABLE
from ocpikit.tariffs.model import LocationHint

__all__ = ["get_zone", "resolve_time_zone", "zone_for_location"]

_COORD = re.compile(r"([+-])(\d{2})(\d{2})(\d{2})?([+-])(\d{3})(\d{2})(\d{2})?$")
_ZONE_COORD = re.compile(r"([A-Za-z_/+\-0-9]+?)([+-]\d{4,6}[+-]\d{5,7})$")


def _degrees(sign: str, deg: str, minutes: str, seconds: str | None) -> float:
    value = int(deg) + int(minutes) / 60 + (int(seconds) / 3600 if seconds else 0)
    return -value if sign == "-" else value


@cache
def _table() -> dict[str, tuple[tuple[str, float, float], ...]]:
    table: dict[str, tuple[tuple[str, float, float], ...]] = {}
    for line in ZONE_TABLE.splitlines():
        country, *zones = line.split()
        entries = []
        for item in zones:
            match = _ZONE_COORD.match(item)
            if match is None:
                entries.append((item, 0.0, 0.0))
                continue
            c = _COORD.match(match.group(2))
            if c is None:  # pragma: no cover - the generated table is well formed
                continue
            lat = _degrees(c.group(1), c.group(2), c.group(3), c.group(4))
            lon = _degrees(c.group(5), c.group(6), c.group(7), c.group(8))
            entries.append((match.group(1), lat, lon))
        table[country] = tuple(entries)
    return table


def zone_for_location(
    country: str, latitude: Decimal | float | None = None, longitude: Decimal | float | None = None
) -> str | None:
    """Return the IANA zone name for an ISO 3166-1 alpha-3 country, or ``None`` if unknown."""
    zones = _table().get(country.upper())
    if not zones:
        return None
    if len(zones) == 1:
        return zones[0][0]
    if latitude is None or longitude is None:
        return MAIN_ZONE.get(country.upper(), zones[0][0])
    lat, lon = float(latitude), float(longitude)
    scale = math.cos(math.radians(lat))

    def distance(entry: tuple[str, float, float]) -> float:
        dlon = (entry[2] - lon + 180) % 360 - 180
        return (entry[1] - lat) ** 2 + (dlon * scale) ** 2

    return min(zones, key=distance)[0]


@cache
def get_zone(name: str) -> ZoneInfo:
    """Return the ``ZoneInfo`` for an IANA name (cached).

    Raises:
        ValueError: when the name is not a known IANA time zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not a known IANA time zone") from exc


def resolve_time_zone(explicit: str | None, location: LocationHint | None) -> ZoneInfo:
    """Pick the time zone to evaluate restrictions in (see the module docstring for the order).

    Raises:
        ValueError: when ``explicit`` is not a known IANA time zone.
    """
    if explicit:
        return get_zone(explicit)
    if location is not None:
        if location.time_zone:
            try:
                return get_zone(location.time_zone)
            except ValueError:
                pass  # fall back to the country
        if location.country:
            name = zone_for_location(location.country, location.latitude, location.longitude)
            if name is not None:
                return get_zone(name)
    return get_zone("UTC")
