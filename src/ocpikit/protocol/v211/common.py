"""OCPI 2.1.1 wire classes shared by several modules, and the base every wire model extends.

A complete, independent copy for 2.1.1 (``conventions.md``, "Versions side by side"): nothing
here imports from or subclasses :mod:`ocpikit.protocol.v221`; only the scalars of
:mod:`ocpikit.types` are shared.

What lives here (and why here rather than in the module that defines it):

- ``types.md`` classes: :class:`DisplayText`, and the 2.1.1 ``string(n)`` scalars.
- ``mod_locations.md`` data types that Tariffs, Sessions and CDRs reuse: :class:`GeoLocation`,
  :class:`BusinessDetails`, :class:`Image`, :class:`EnergyMix` (with its sources and impacts),
  and the connector enums :class:`ConnectorType`, :class:`ConnectorFormat`, :class:`PowerType`.
- Enums that would otherwise make the modules import each other in a cycle:
  :class:`TokenType` (Tokens) and :class:`AuthMethod` (CDRs). Each home module re-exports its
  enum, so ``from ocpikit.protocol.v211.tokens import TokenType`` works too.

Decisions that hold for every 2.1.1 wire model (the same as for 2.2.1):

- **Unknown fields are ignored**: a peer's extension field never makes a payload fail, and it
  is not echoed back either.
- **Absent is not null.** Optional fields (``?``) default to ``None``; list fields (``*``)
  default to ``None`` too, so that "not sent" and "sent as ``[]``" stay distinguishable and
  round-trip. ``None`` is never emitted: :meth:`OcpiModel.to_wire` and
  :meth:`OcpiModel.to_json_bytes` leave such fields out. A received explicit ``null`` on an
  optional field is accepted and treated as absent.
- **JSON types are strict** for ``int`` and ``boolean``; ``number`` is
  :data:`ocpikit.types.Number` (a ``Decimal``).
- **Enums are closed** :class:`~enum.StrEnum` with the spec's (case-sensitive) values; a value
  2.1.1 does not define (e.g. 2.2.1's ``NEMA_5_20`` or ``AD_HOC_USER``) is a validation error.

Where 2.1.1 differs from 2.2.1 in the scalars:

- ``types.md §1.5 string``: "Case Sensitive String. **Only printable ASCII allowed.**" (2.2
  widened it to UTF-8.) The 2.1.1 ``string(n)`` aliases below (:data:`String2` ...) therefore
  accept printable ASCII (U+0020..U+007E) only, like ``CiString``; the difference between the
  two is how a receiver compares them, not what they accept.
- ``types.md §1.2 DateTime``: "The absence of the timezone designator implies a UTC
  timestamp" and "+00:00 is not the same as UTC": exactly what :data:`ocpikit.types.DateTime`
  accepts.
- GeoLocation coordinates have **exactly six** decimals (e.g. ``51.047599``).

The unofficial OpenAPI description of 2.1.1 (``shared/ocpi-openapi/2.1.1``) is, for the objects,
largely a copy of its 2.2.1 one (Location with ``country_code``/``publish``, Session with
``cdr_token``, Connector with ``max_voltage``/``tariff_ids``, Endpoint with ``role``,
EnvironmentalImpact with ``category``, GeoLocation with 1-8 decimals, 2.2.1 enums...). Where it
disagrees with the 2.1.1 text, these models follow the text; each module names the points.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

from ocpikit.types import URL, CiString4, DateTime, Number

__all__ = [
    "AuthMethod",
    "Bool",
    "BusinessDetails",
    "ConnectorFormat",
    "ConnectorType",
    "DisplayText",
    "EnergyMix",
    "EnergySource",
    "EnergySourceCategory",
    "EnvironmentalImpact",
    "EnvironmentalImpactCategory",
    "GeoLocation",
    "Image",
    "ImageCategory",
    "Int",
    "Latitude",
    "Longitude",
    "OcpiModel",
    "OcpiPatch",
    "PowerType",
    "String2",
    "String3",
    "String4",
    "String5",
    "String10",
    "String16",
    "String36",
    "String39",
    "String45",
    "String48",
    "String64",
    "String100",
    "String255",
    "String512",
    "TokenType",
]


# OCPI ``int``: a JSON integer. Strict so that "230" or 230.5 is an error, not a silent cast.
Int = Annotated[int, Strict()]
# OCPI ``boolean``: JSON true/false only (not "yes", 1 or "true").
Bool = Annotated[bool, Strict()]

_PRINTABLE_ASCII = r"^[\x20-\x7e]*$"


def _string(max_length: int) -> StringConstraints:
    return StringConstraints(max_length=max_length, pattern=_PRINTABLE_ASCII)


# 2.1.1 string(n): case-sensitive printable ASCII of at most n characters (types.md §1.5).
String2 = Annotated[str, _string(2)]
String3 = Annotated[str, _string(3)]
String4 = Annotated[str, _string(4)]
String5 = Annotated[str, _string(5)]
String10 = Annotated[str, _string(10)]
String16 = Annotated[str, _string(16)]
String36 = Annotated[str, _string(36)]
String39 = Annotated[str, _string(39)]
String45 = Annotated[str, _string(45)]
String48 = Annotated[str, _string(48)]
String64 = Annotated[str, _string(64)]
String100 = Annotated[str, _string(100)]
String255 = Annotated[str, _string(255)]
String512 = Annotated[str, _string(512)]

# GeoLocation regexes from ``mod_locations.md §4.12 GeoLocation class``: exactly six decimals
# (2.2.1 allows 5 to 7; the OpenAPI description's 1 to 8 is not the 2.1.1 text).
Latitude = Annotated[str, StringConstraints(max_length=10, pattern=r"^-?[0-9]{1,2}\.[0-9]{6}$")]
Longitude = Annotated[str, StringConstraints(max_length=11, pattern=r"^-?[0-9]{1,3}\.[0-9]{6}$")]


class OcpiModel(BaseModel):
    """Base class of every OCPI 2.1.1 wire model.

    Unknown fields are ignored, ``int``/``bool`` are strict JSON types, and instances are
    mutable. Serialise with :meth:`to_wire` or :meth:`to_json_bytes`, which omit every field
    whose value is ``None``.
    """

    model_config = ConfigDict(extra="ignore", frozen=False)

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON-ready dict of this object, without absent (``None``) fields."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_json_bytes(self) -> bytes:
        """Return the UTF-8 JSON body of this object, without absent (``None``) fields."""
        return self.model_dump_json(exclude_none=True).encode()


class OcpiPatch(OcpiModel):
    """Base class of 2.1.1 PATCH bodies: every field optional, ``last_updated`` too.

    ``mod_locations.md §2.2.3 PATCH Method`` (and Sessions, Tariffs, Tokens): "only the
    fields/objects that have to be updated have to be present". Unlike 2.2, 2.1.1 does not
    require ``last_updated`` in a PATCH (the spec's own examples omit it; requirement V211-08);
    the receiver stamps the object itself when it is missing.
    """

    last_updated: DateTime | None = None

    def changes(self) -> dict[str, Any]:
        """Return the sent, non-null fields as ``{name: value}`` (models, not dicts)."""
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if getattr(self, name) is not None
        }


class DisplayText(OcpiModel):
    """``types.md §1.3 DisplayText class``."""

    language: String2
    text: String512


class TokenType(StrEnum):
    """``mod_tokens.md §4.3 TokenType enum`` (2.2 added ``AD_HOC_USER`` and ``APP_USER``)."""

    OTHER = "OTHER"
    RFID = "RFID"


class AuthMethod(StrEnum):
    """``mod_cdrs.md §4.1 AuthMethod enum`` (2.2 added ``COMMAND``)."""

    AUTH_REQUEST = "AUTH_REQUEST"
    WHITELIST = "WHITELIST"


class ConnectorFormat(StrEnum):
    """``mod_locations.md §4.3 ConnectorFormat enum``."""

    SOCKET = "SOCKET"
    CABLE = "CABLE"


class ConnectorType(StrEnum):
    """``mod_locations.md §4.4 ConnectorType enum``.

    2.2 added CHAOJI, DOMESTIC_M/N/O, GBT_AC/GBT_DC, the NEMA and PANTOGRAPH types.
    """

    CHADEMO = "CHADEMO"
    DOMESTIC_A = "DOMESTIC_A"
    DOMESTIC_B = "DOMESTIC_B"
    DOMESTIC_C = "DOMESTIC_C"
    DOMESTIC_D = "DOMESTIC_D"
    DOMESTIC_E = "DOMESTIC_E"
    DOMESTIC_F = "DOMESTIC_F"
    DOMESTIC_G = "DOMESTIC_G"
    DOMESTIC_H = "DOMESTIC_H"
    DOMESTIC_I = "DOMESTIC_I"
    DOMESTIC_J = "DOMESTIC_J"
    DOMESTIC_K = "DOMESTIC_K"
    DOMESTIC_L = "DOMESTIC_L"
    IEC_60309_2_single_16 = "IEC_60309_2_single_16"
    IEC_60309_2_three_16 = "IEC_60309_2_three_16"
    IEC_60309_2_three_32 = "IEC_60309_2_three_32"
    IEC_60309_2_three_64 = "IEC_60309_2_three_64"
    IEC_62196_T1 = "IEC_62196_T1"
    IEC_62196_T1_COMBO = "IEC_62196_T1_COMBO"
    IEC_62196_T2 = "IEC_62196_T2"
    IEC_62196_T2_COMBO = "IEC_62196_T2_COMBO"
    IEC_62196_T3A = "IEC_62196_T3A"
    IEC_62196_T3C = "IEC_62196_T3C"
    TESLA_R = "TESLA_R"
    TESLA_S = "TESLA_S"


class PowerType(StrEnum):
    """``mod_locations.md §4.18 PowerType enum`` (2.2 added AC_2_PHASE, AC_2_PHASE_SPLIT)."""

    AC_1_PHASE = "AC_1_PHASE"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class GeoLocation(OcpiModel):
    """``mod_locations.md §4.12 GeoLocation class`` (WGS 84, six decimals, as strings)."""

    latitude: Latitude
    longitude: Longitude


class ImageCategory(StrEnum):
    """``mod_locations.md §4.15 ImageCategory enum``."""

    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class Image(OcpiModel):
    """``mod_locations.md §4.14 Image class``."""

    url: URL
    thumbnail: URL | None = None
    category: ImageCategory
    type: CiString4
    # int(5): at most five digits.
    width: Annotated[Int, Field(ge=0, le=99999)] | None = None
    height: Annotated[Int, Field(ge=0, le=99999)] | None = None


class BusinessDetails(OcpiModel):
    """``mod_locations.md §4.1 BusinessDetails class``."""

    name: String100
    website: URL | None = None
    logo: Image | None = None


class EnergySourceCategory(StrEnum):
    """``mod_locations.md §4.7 EnergySourceCategory enum``."""

    NUCLEAR = "NUCLEAR"
    GENERAL_FOSSIL = "GENERAL_FOSSIL"
    COAL = "COAL"
    GAS = "GAS"
    GENERAL_GREEN = "GENERAL_GREEN"
    SOLAR = "SOLAR"
    WIND = "WIND"
    WATER = "WATER"


class EnergySource(OcpiModel):
    """``mod_locations.md §4.6 EnergySource class``."""

    source: EnergySourceCategory
    # "Percentage of this source (0-100) in the mix."
    percentage: Annotated[Number, Field(ge=0, le=100)]


class EnvironmentalImpactCategory(StrEnum):
    """``mod_locations.md §4.9 EnvironmentalImpactCategory enum``."""

    NUCLEAR_WASTE = "NUCLEAR_WASTE"
    CARBON_DIOXIDE = "CARBON_DIOXIDE"


class EnvironmentalImpact(OcpiModel):
    """``mod_locations.md §4.8 EnvironmentalImpact class`` (amount in g/kWh).

    The category field is called ``source`` in 2.1.1 (table and examples); 2.2 renamed it
    ``category``, and the OpenAPI description of 2.1.1 already uses the 2.2 name.
    """

    source: EnvironmentalImpactCategory
    amount: Number


class EnergyMix(OcpiModel):
    """``mod_locations.md §4.5 EnergyMix class``."""

    is_green_energy: Bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: String64 | None = None
    energy_product_name: String64 | None = None
