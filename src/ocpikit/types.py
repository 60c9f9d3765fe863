"""OCPI scalar types shared by every version (``types.asciidoc``).

Each scalar is an ``Annotated`` alias so that wire models read like the spec tables:
``id CiString(36)`` is spelt ``id: CiString36`` here.

Rules enforced (requirements TY-01..TY-10):

- ``CiString(n)``: printable ASCII only (U+0020..U+007E), at most *n* characters, compared
  case-insensitively by whoever looks it up (storage keeps the sender's spelling).
- ``string(n)``: printable Unicode, no control characters (CR, LF, TAB...), at most *n*.
- ``DateTime``: RFC 3339 subset, UTC. Accepted with or without ``Z`` and with fractions;
  an explicit offset other than Z is rejected (``types.asciidoc``: "+00:00 is not the same
  as UTC"). Only a string (or, from our own code, a ``datetime``): never a number. Years
  1000..9999 (:data:`MIN_DATETIME`..:data:`MAX_DATETIME`): RFC 3339's ``date-fullyear`` is
  exactly four digits, so 9999 is the last year it can write; below 1000 a year needs
  leading zeros, the very form that formatters which do not pad (C ``strftime("%Y")``)
  get wrong, and no OCPI event (a session, a ``last_updated``) predates it. Always emitted
  with a four-digit year and ``Z``.
- ``number``: :class:`decimal.Decimal`, never a binary float, emitted as a JSON number.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

__all__ = [
    "CiString2",
    "CiString255",
    "CiString32",
    "CiString4",
    "CiString3",
    "CiString36",
    "CiString39",
    "CiString48",
    "CiString5",
    "MAX_DATETIME",
    "MIN_DATETIME",
    "DateTime",
    "Number",
    "String10",
    "String100",
    "String1000",
    "String128",
    "String15",
    "String150",
    "String16",
    "String2",
    "String20",
    "String200",
    "String25",
    "String255",
    "String3",
    "String32",
    "String36",
    "String39",
    "String4",
    "String40",
    "String45",
    "String5",
    "String50",
    "String5000",
    "String512",
    "String6",
    "String64",
    "String8",
    "URL",
    "PartyName",
    "format_datetime",
    "parse_datetime",
]

_CI_STRING = r"^[\x20-\x7e]*$"
# Printable Unicode: no C0/C1 control characters (CR, LF, TAB are explicitly excluded).
_STRING = r"^[^\x00-\x1f\x7f-\x9f]*$"


def _ci(max_length: int) -> StringConstraints:
    return StringConstraints(max_length=max_length, pattern=_CI_STRING)


def _st(max_length: int) -> StringConstraints:
    return StringConstraints(max_length=max_length, pattern=_STRING)


# CiString(n): case-insensitive printable ASCII of at most n characters.
CiString2 = Annotated[str, _ci(2)]
CiString3 = Annotated[str, _ci(3)]
CiString4 = Annotated[str, _ci(4)]
CiString5 = Annotated[str, _ci(5)]
CiString32 = Annotated[str, _ci(32)]
CiString36 = Annotated[str, _ci(36)]
CiString39 = Annotated[str, _ci(39)]
CiString48 = Annotated[str, _ci(48)]
CiString255 = Annotated[str, _ci(255)]

# string(n): case-sensitive printable UTF-8 of at most n characters.
String2 = Annotated[str, _st(2)]
String3 = Annotated[str, _st(3)]
String4 = Annotated[str, _st(4)]
String5 = Annotated[str, _st(5)]
String6 = Annotated[str, _st(6)]
String8 = Annotated[str, _st(8)]
String10 = Annotated[str, _st(10)]
String15 = Annotated[str, _st(15)]
String16 = Annotated[str, _st(16)]
String20 = Annotated[str, _st(20)]
String25 = Annotated[str, _st(25)]
String32 = Annotated[str, _st(32)]
String36 = Annotated[str, _st(36)]
String39 = Annotated[str, _st(39)]
String40 = Annotated[str, _st(40)]
String45 = Annotated[str, _st(45)]
String50 = Annotated[str, _st(50)]
String64 = Annotated[str, _st(64)]
String100 = Annotated[str, _st(100)]
String128 = Annotated[str, _st(128)]
String150 = Annotated[str, _st(150)]
String200 = Annotated[str, _st(200)]
String255 = Annotated[str, _st(255)]
String512 = Annotated[str, _st(512)]
String1000 = Annotated[str, _st(1000)]
String5000 = Annotated[str, _st(5000)]


# ASCII digits only (``\d`` would match any Unicode digit); at most 6 fraction digits are
# kept (Python's resolution), further ones are accepted and dropped.
_DATETIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:(?P<frac>\.[0-9]{1,6})[0-9]*)?Z?$"
)

MIN_DATETIME = datetime(1000, 1, 1, tzinfo=UTC)
"""The earliest ``DateTime`` accepted (see the module doc for why)."""
MAX_DATETIME = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""The latest ``DateTime`` accepted: the end of the last year RFC 3339 can write."""

_RANGE = "DateTime must be between 1000-01-01T00:00:00Z and 9999-12-31T23:59:59Z"


def parse_datetime(value: str) -> datetime:
    """Parse an OCPI ``DateTime`` into an aware UTC datetime.

    Raises:
        ValueError: when the value is not one of the forms ``types.asciidoc`` allows, or its
            year is before 1000.
    """
    if len(value) > 32:  # string(25) in the spec; allow a little slack for 6-digit fractions
        raise ValueError("DateTime is too long")
    match = _DATETIME.match(value)
    if match is None:
        raise ValueError(
            "DateTime must be RFC 3339 in UTC, e.g. 2015-06-29T20:39:09Z (no offset other than Z)"
        )
    text = f"{match['date']}T{match['time']}{match['frac'] or ''}"
    try:
        parsed = datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError as exc:  # 2015-02-30, 25:00:00, year 0000
        raise ValueError(f"DateTime {value!r} is not a valid date and time") from exc
    return _in_range(parsed)


def _in_range(value: datetime) -> datetime:
    if not MIN_DATETIME <= value <= MAX_DATETIME:
        raise ValueError(_RANGE)
    return value


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as OCPI ``DateTime`` (UTC, ``Z``, milliseconds only if set).

    The year always has four digits (``isoformat`` pads it; ``strftime("%Y")`` does not).
    """
    value = value.astimezone(UTC).replace(tzinfo=None)
    spec = "milliseconds" if value.microsecond else "seconds"
    return value.isoformat(timespec=spec) + "Z"


def _coerce_datetime(value: object) -> datetime:
    if isinstance(value, str):
        return parse_datetime(value)
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return _in_range(aware)
    # Strict: a number (a Unix time?) or a bare date is not an OCPI DateTime.
    raise ValueError("DateTime must be a string such as 2015-06-29T20:39:09Z")


def _coerce_number(value: object) -> object:
    # bool is an int subclass; OCPI numbers are never booleans.
    if isinstance(value, bool):
        raise ValueError("a number is required")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("number must be finite")
    return value


def _number_out(value: Decimal) -> int | float:
    # JSON has no decimal type: emit an int when integral, else the shortest float that
    # round-trips the decimal's text (OCPI numbers have at most 4 decimals).
    if value == value.to_integral_value():
        return int(value)
    return float(value)


DateTime = Annotated[
    datetime,
    BeforeValidator(_coerce_datetime),
    PlainSerializer(format_datetime, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": 25}),
]

Number = Annotated[
    Decimal,
    BeforeValidator(_coerce_number),
    AfterValidator(_finite),
    PlainSerializer(_number_out, return_type=int | float),
    WithJsonSchema({"type": "number"}),
]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


PartyName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=_STRING),
    AfterValidator(_not_blank),
]
"""The name of one of our parties: it becomes ``BusinessDetails.name``, an OCPI ``string(100)``
(printable UTF-8, so no tab, line break or other control character), and is not blank."""

URL = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$"),
]
