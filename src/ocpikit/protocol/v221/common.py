"""OCPI 2.2.1 wire classes shared by several modules, and the base every wire model extends.

What lives here (and why here rather than in the module that defines it):

- ``types.asciidoc`` classes: :class:`DisplayText`, :class:`Price`, :class:`Role`.
- ``mod_locations.asciidoc`` data types that Tariffs and CDRs reuse: :class:`GeoLocation`,
  :class:`BusinessDetails`, :class:`Image`, :class:`EnergyMix` (with its sources and impacts),
  and the connector enums :class:`ConnectorType`, :class:`ConnectorFormat`, :class:`PowerType`.
- Enums that would otherwise make the modules import each other in a cycle
  (tokens -> sessions -> cdrs -> tokens): :class:`TokenType` (Tokens), :class:`ProfileType`
  (Sessions) and :class:`AuthMethod` (CDRs). Each home module re-exports its enum, so
  ``from ocpikit.protocol.v221.tokens import TokenType`` works too.

Decisions that hold for every 2.2.1 wire model:

- **Unknown fields are ignored** (requirement TY-11): a peer's extension field never makes a
  payload fail, and it is not echoed back either.
- **Absent is not null.** Optional fields (``?``) default to ``None``; list fields (``*``)
  default to ``None`` too, so that "not sent" and "sent as ``[]``" stay distinguishable and
  round-trip. ``None`` is never emitted: :meth:`OcpiModel.to_wire` and
  :meth:`OcpiModel.to_json_bytes` leave such fields out, as OCPI expects. A received explicit
  ``null`` on an optional field is accepted and treated as absent.
- **JSON types are strict** for ``int`` and ``boolean`` (no ``"5"`` for 5, no ``"true"`` for
  true); ``number`` is :data:`ocpikit.types.Number` (a ``Decimal``).
- **Enums are closed** :class:`~enum.StrEnum` with the spec's (case-sensitive) values; a value
  2.2.1 does not define is a validation error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

from ocpikit.types import (
    URL,
    CiString4,
    DateTime,
    Number,
    String2,
    String64,
    String100,
    String512,
)

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
    "Price",
    "ProfileType",
    "Role",
    "TokenType",
]


# OCPI ``int``: a JSON integer. Strict so that "230" or 230.5 is an error, not a silent cast.
Int = Annotated[int, Strict()]
# OCPI ``boolean``: JSON true/false only (not "yes", 1 or "true").
Bool = Annotated[bool, Strict()]

# GeoLocation regexes from ``mod_locations.asciidoc §GeoLocation class`` (anchored: pydantic
# searches rather than full-matches a pattern).
Latitude = Annotated[str, StringConstraints(max_length=10, pattern=r"^-?[0-9]{1,2}\.[0-9]{5,7}$")]
Longitude = Annotated[str, StringConstraints(max_length=11, pattern=r"^-?[0-9]{1,3}\.[0-9]{5,7}$")]


class OcpiModel(BaseModel):
    """Base class of every OCPI 2.2.1 wire model.

    Unknown fields are ignored, ``int``/``bool`` are strict JSON types, and instances are
    mutable (services build and adjust them before sending). Serialise with :meth:`to_wire`
    or :meth:`to_json_bytes`, which omit every field whose value is ``None``.
    """

    model_config = ConfigDict(extra="ignore", frozen=False)

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON-ready dict of this object, without absent (``None``) fields."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_json_bytes(self) -> bytes:
        """Return the UTF-8 JSON body of this object, without absent (``None``) fields."""
        return self.model_dump_json(exclude_none=True).encode()


class OcpiPatch(OcpiModel):
    """Base class of PATCH bodies: every field optional except ``last_updated``.

    ``transport_and_format.asciidoc §PATCH`` and the Locations, Sessions and Tokens PATCH
    sections: a PATCH carries only the fields to change and MUST carry ``last_updated``
    (requirement TF-13). Fields that were not sent stay out of :attr:`model_fields_set`.
    """

    last_updated: DateTime

    def changes(self) -> dict[str, Any]:
        """Return the sent fields as ``{name: value}`` (models, not dicts), ``last_updated`` too.

        A field sent as ``null`` is left out: a PATCH cannot remove information
        (requirement TF-13), so an explicit null is read as "no change".
        """
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if getattr(self, name) is not None
        }


class Role(StrEnum):
    """``types.asciidoc §Role enum``."""

    CPO = "CPO"
    EMSP = "EMSP"
    HUB = "HUB"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


class DisplayText(OcpiModel):
    """``types.asciidoc §DisplayText class``."""

    language: String2
    text: String512


class Price(OcpiModel):
    """``types.asciidoc §Price class``."""

    excl_vat: Number
    incl_vat: Number | None = None


class TokenType(StrEnum):
    """``mod_tokens.asciidoc §TokenType enum``."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    OTHER = "OTHER"
    RFID = "RFID"


class ProfileType(StrEnum):
    """``mod_sessions.asciidoc §ProfileType enum``."""

    CHEAP = "CHEAP"
    FAST = "FAST"
    GREEN = "GREEN"
    REGULAR = "REGULAR"


class AuthMethod(StrEnum):
    """``mod_cdrs.asciidoc §AuthMethod enum``."""

    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"


class ConnectorFormat(StrEnum):
    """``mod_locations.asciidoc §ConnectorFormat enum``."""

    SOCKET = "SOCKET"
    CABLE = "CABLE"


class ConnectorType(StrEnum):
    """``mod_locations.asciidoc §ConnectorType enum``."""

    CHADEMO = "CHADEMO"
    CHAOJI = "CHAOJI"
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
    DOMESTIC_M = "DOMESTIC_M"
    DOMESTIC_N = "DOMESTIC_N"
    DOMESTIC_O = "DOMESTIC_O"
    GBT_AC = "GBT_AC"
    GBT_DC = "GBT_DC"
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
    NEMA_5_20 = "NEMA_5_20"
    NEMA_6_30 = "NEMA_6_30"
    NEMA_6_50 = "NEMA_6_50"
    NEMA_10_30 = "NEMA_10_30"
    NEMA_10_50 = "NEMA_10_50"
    NEMA_14_30 = "NEMA_14_30"
    NEMA_14_50 = "NEMA_14_50"
    PANTOGRAPH_BOTTOM_UP = "PANTOGRAPH_BOTTOM_UP"
    PANTOGRAPH_TOP_DOWN = "PANTOGRAPH_TOP_DOWN"
    TESLA_R = "TESLA_R"
    TESLA_S = "TESLA_S"


class PowerType(StrEnum):
    """``mod_locations.asciidoc §PowerType enum``."""

    AC_1_PHASE = "AC_1_PHASE"
    AC_2_PHASE = "AC_2_PHASE"
    AC_2_PHASE_SPLIT = "AC_2_PHASE_SPLIT"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class GeoLocation(OcpiModel):
    """``mod_locations.asciidoc §GeoLocation class`` (WGS 84, decimal degrees as strings)."""

    latitude: Latitude
    longitude: Longitude


class ImageCategory(StrEnum):
    """``mod_locations.asciidoc §ImageCategory enum``."""

    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class Image(OcpiModel):
    """``mod_locations.asciidoc §Image class``."""

    url: URL
    thumbnail: URL | None = None
    category: ImageCategory
    type: CiString4
    # int(5): at most five digits.
    width: Annotated[Int, Field(ge=0, le=99999)] | None = None
    height: Annotated[Int, Field(ge=0, le=99999)] | None = None


class BusinessDetails(OcpiModel):
    """``mod_locations.asciidoc §BusinessDetails class``."""

    name: String100
    website: URL | None = None
    logo: Image | None = None


class EnergySourceCategory(StrEnum):
    """``mod_locations.asciidoc §EnergySourceCategory enum``."""

    NUCLEAR = "NUCLEAR"
    GENERAL_FOSSIL = "GENERAL_FOSSIL"
    COAL = "COAL"
    GAS = "GAS"
    GENERAL_GREEN = "GENERAL_GREEN"
    SOLAR = "SOLAR"
    WIND = "WIND"
    WATER = "WATER"


class EnergySource(OcpiModel):
    """``mod_locations.asciidoc §EnergySource class``."""

    source: EnergySourceCategory
    # "Percentage of this source (0-100) in the mix."
    percentage: Annotated[Number, Field(ge=0, le=100)]


class EnvironmentalImpactCategory(StrEnum):
    """``mod_locations.asciidoc §EnvironmentalImpactCategory enum``."""

    NUCLEAR_WASTE = "NUCLEAR_WASTE"
    CARBON_DIOXIDE = "CARBON_DIOXIDE"


class EnvironmentalImpact(OcpiModel):
    """``mod_locations.asciidoc §EnvironmentalImpact class`` (amount in g/kWh)."""

    category: EnvironmentalImpactCategory
    amount: Number


class EnergyMix(OcpiModel):
    """``mod_locations.asciidoc §EnergyMix class``."""

    is_green_energy: Bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: String64 | None = None
    energy_product_name: String64 | None = None
