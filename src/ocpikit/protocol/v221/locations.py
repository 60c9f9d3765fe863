"""OCPI 2.2.1 Locations module wire models (``mod_locations.asciidoc``).

Location, EVSE and Connector, their data types, and the PATCH bodies of each level. The data
types that Tariffs and CDRs reuse (GeoLocation, BusinessDetails, Image, EnergyMix and the
connector enums) are defined in :mod:`ocpikit.protocol.v221.common` and re-exported here.
Field lengths follow the released text except where the requirements checklist adopts an
erratum (ERR-04): ``Location.address`` is string(255) (released: 45) and ``Location.state``
string(45) (released: 20).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from ocpikit.protocol.v221.common import (
    Bool,
    BusinessDetails,
    ConnectorFormat,
    ConnectorType,
    DisplayText,
    EnergyMix,
    EnergySource,
    EnergySourceCategory,
    EnvironmentalImpact,
    EnvironmentalImpactCategory,
    GeoLocation,
    Image,
    ImageCategory,
    Int,
    Latitude,
    Longitude,
    OcpiModel,
    OcpiPatch,
    PowerType,
    TokenType,
)
from ocpikit.types import (
    URL,
    CiString2,
    CiString3,
    CiString36,
    CiString48,
    DateTime,
    String3,
    String4,
    String10,
    String16,
    String45,
    String64,
    String255,
)

__all__ = [
    "EVSE",
    "AdditionalGeoLocation",
    "BusinessDetails",
    "Capability",
    "Connector",
    "ConnectorFormat",
    "ConnectorPatch",
    "ConnectorType",
    "EnergyMix",
    "EnergySource",
    "EnergySourceCategory",
    "EnvironmentalImpact",
    "EnvironmentalImpactCategory",
    "EvsePatch",
    "ExceptionalPeriod",
    "Facility",
    "GeoLocation",
    "Hours",
    "Image",
    "ImageCategory",
    "Location",
    "LocationPatch",
    "ParkingRestriction",
    "ParkingType",
    "PowerType",
    "PublishTokenType",
    "RegularHours",
    "Status",
    "StatusSchedule",
]

# "Must be in 24h format with leading zeros ... Regex: ([0-1][0-9]|2[0-3]):[0-5][0-9]"
_HourMinute = Annotated[
    str, StringConstraints(max_length=5, pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")
]


class Capability(StrEnum):
    """``mod_locations.asciidoc §Capability enum``."""

    CHARGING_PROFILE_CAPABLE = "CHARGING_PROFILE_CAPABLE"
    CHARGING_PREFERENCES_CAPABLE = "CHARGING_PREFERENCES_CAPABLE"
    CHIP_CARD_SUPPORT = "CHIP_CARD_SUPPORT"
    CONTACTLESS_CARD_SUPPORT = "CONTACTLESS_CARD_SUPPORT"
    CREDIT_CARD_PAYABLE = "CREDIT_CARD_PAYABLE"
    DEBIT_CARD_PAYABLE = "DEBIT_CARD_PAYABLE"
    PED_TERMINAL = "PED_TERMINAL"
    REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"
    RESERVABLE = "RESERVABLE"
    RFID_READER = "RFID_READER"
    START_SESSION_CONNECTOR_REQUIRED = "START_SESSION_CONNECTOR_REQUIRED"
    TOKEN_GROUP_CAPABLE = "TOKEN_GROUP_CAPABLE"
    UNLOCK_CAPABLE = "UNLOCK_CAPABLE"


class Facility(StrEnum):
    """``mod_locations.asciidoc §Facility enum``."""

    HOTEL = "HOTEL"
    RESTAURANT = "RESTAURANT"
    CAFE = "CAFE"
    MALL = "MALL"
    SUPERMARKET = "SUPERMARKET"
    SPORT = "SPORT"
    RECREATION_AREA = "RECREATION_AREA"
    NATURE = "NATURE"
    MUSEUM = "MUSEUM"
    BIKE_SHARING = "BIKE_SHARING"
    BUS_STOP = "BUS_STOP"
    TAXI_STAND = "TAXI_STAND"
    TRAM_STOP = "TRAM_STOP"
    METRO_STATION = "METRO_STATION"
    TRAIN_STATION = "TRAIN_STATION"
    AIRPORT = "AIRPORT"
    PARKING_LOT = "PARKING_LOT"
    CARPOOL_PARKING = "CARPOOL_PARKING"
    FUEL_STATION = "FUEL_STATION"
    WIFI = "WIFI"


class ParkingRestriction(StrEnum):
    """``mod_locations.asciidoc §ParkingRestriction enum``."""

    EV_ONLY = "EV_ONLY"
    PLUGGED = "PLUGGED"
    DISABLED = "DISABLED"
    CUSTOMERS = "CUSTOMERS"
    MOTORCYCLES = "MOTORCYCLES"


class ParkingType(StrEnum):
    """``mod_locations.asciidoc §ParkingType enum``."""

    ALONG_MOTORWAY = "ALONG_MOTORWAY"
    PARKING_GARAGE = "PARKING_GARAGE"
    PARKING_LOT = "PARKING_LOT"
    ON_DRIVEWAY = "ON_DRIVEWAY"
    ON_STREET = "ON_STREET"
    UNDERGROUND_GARAGE = "UNDERGROUND_GARAGE"


class Status(StrEnum):
    """``mod_locations.asciidoc §Status enum`` (status of an EVSE)."""

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


class AdditionalGeoLocation(OcpiModel):
    """``mod_locations.asciidoc §AdditionalGeoLocation class``."""

    latitude: Latitude
    longitude: Longitude
    name: DisplayText | None = None


class ExceptionalPeriod(OcpiModel):
    """``mod_locations.asciidoc §ExceptionalPeriod class`` (UTC)."""

    period_begin: DateTime
    period_end: DateTime


class RegularHours(OcpiModel):
    """``mod_locations.asciidoc §RegularHours class`` (local time of the Location).

    ``period_end`` "Must be later than ``period_begin``"; the check compares the zero-padded
    ``HH:MM`` strings, which order like the times they spell.
    """

    # int(1): "from Monday (1) till Sunday (7)".
    weekday: Annotated[Int, Field(ge=1, le=7)]
    period_begin: _HourMinute
    period_end: _HourMinute

    @model_validator(mode="after")
    def _end_after_begin(self) -> Self:
        if self.period_end <= self.period_begin:
            raise ValueError("period_end must be later than period_begin")
        return self


class Hours(OcpiModel):
    """``mod_locations.asciidoc §Hours class``.

    ``regular_hours``: "Only to be used if ``twentyfourseven=false``, then this field needs to
    contain at least one RegularHours object." Both halves are enforced (an empty list counts
    as not used).
    """

    twentyfourseven: Bool
    regular_hours: list[RegularHours] | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None

    @model_validator(mode="after")
    def _regular_hours_match_twentyfourseven(self) -> Self:
        if self.twentyfourseven and self.regular_hours:
            raise ValueError("regular_hours may only be used when twentyfourseven is false")
        if not self.twentyfourseven and not self.regular_hours:
            raise ValueError("regular_hours needs at least one entry when twentyfourseven is false")
        return self


class PublishTokenType(OcpiModel):
    """``mod_locations.asciidoc §PublishTokenType class``.

    "At least one of the following fields SHALL be set: ``uid``, ``visual_number``, or
    ``group_id``. When ``uid`` is set, ``type`` SHALL also be set. When ``visual_number`` is
    set, ``issuer`` SHALL also be set."
    """

    uid: CiString36 | None = None
    type: TokenType | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    group_id: CiString36 | None = None

    @model_validator(mode="after")
    def _identifies_a_token(self) -> Self:
        if self.uid is None and self.visual_number is None and self.group_id is None:
            raise ValueError("at least one of uid, visual_number or group_id must be set")
        if self.uid is not None and self.type is None:
            raise ValueError("type is required when uid is set")
        if self.visual_number is not None and self.issuer is None:
            raise ValueError("issuer is required when visual_number is set")
        return self


class StatusSchedule(OcpiModel):
    """``mod_locations.asciidoc §StatusSchedule class`` (informational only)."""

    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class Connector(OcpiModel):
    """``mod_locations.asciidoc §Connector Object``."""

    id: CiString36
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    max_voltage: Int
    max_amperage: Int
    max_electric_power: Int | None = None
    tariff_ids: list[CiString36] | None = None
    terms_and_conditions: URL | None = None
    last_updated: DateTime


class EVSE(OcpiModel):
    """``mod_locations.asciidoc §EVSE Object``."""

    uid: CiString36
    evse_id: CiString48 | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: Annotated[list[Connector], Field(min_length=1)]
    floor_level: String4 | None = None
    coordinates: GeoLocation | None = None
    physical_reference: String16 | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestriction] | None = None
    images: list[Image] | None = None
    last_updated: DateTime


class Location(OcpiModel):
    """``mod_locations.asciidoc §Location Object``.

    ``publish_allowed_to`` "may only be used when the ``publish`` field is set to ``false``";
    a non-empty list with ``publish=true`` is rejected.
    """

    country_code: CiString2
    party_id: CiString3
    id: CiString36
    publish: Bool
    publish_allowed_to: list[PublishTokenType] | None = None
    name: String255 | None = None
    address: String255  # erratum ERR-04 (released text: string(45))
    city: String45
    postal_code: String10 | None = None
    state: String45 | None = None  # erratum ERR-04 (released text: string(20))
    country: String3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    parking_type: ParkingType | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: String255
    opening_times: Hours | None = None
    # Absent means true ("Default: true"); kept absent rather than filled in, so it round-trips.
    charging_when_closed: Bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime

    @model_validator(mode="after")
    def _publish_allowed_to_only_when_unpublished(self) -> Self:
        if self.publish and self.publish_allowed_to:
            raise ValueError("publish_allowed_to may only be used when publish is false")
        return self


class LocationPatch(OcpiPatch):
    """PATCH body of a Location (``mod_locations.asciidoc §PATCH Method``).

    Every :class:`Location` field is optional; ``last_updated`` is required. Cross-field
    rules of :class:`Location` are checked by the receiver on the merged object.
    """

    country_code: CiString2 | None = None
    party_id: CiString3 | None = None
    id: CiString36 | None = None
    publish: Bool | None = None
    publish_allowed_to: list[PublishTokenType] | None = None
    name: String255 | None = None
    address: String255 | None = None
    city: String45 | None = None
    postal_code: String10 | None = None
    state: String45 | None = None
    country: String3 | None = None
    coordinates: GeoLocation | None = None
    related_locations: list[AdditionalGeoLocation] | None = None
    parking_type: ParkingType | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: String255 | None = None
    opening_times: Hours | None = None
    charging_when_closed: Bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None


class EvsePatch(OcpiPatch):
    """PATCH body of an EVSE (``mod_locations.asciidoc §PATCH Method``).

    Every :class:`EVSE` field is optional; ``last_updated`` is required.
    """

    uid: CiString36 | None = None
    evse_id: CiString48 | None = None
    status: Status | None = None
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: Annotated[list[Connector], Field(min_length=1)] | None = None
    floor_level: String4 | None = None
    coordinates: GeoLocation | None = None
    physical_reference: String16 | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestriction] | None = None
    images: list[Image] | None = None


class ConnectorPatch(OcpiPatch):
    """PATCH body of a Connector (``mod_locations.asciidoc §PATCH Method``).

    Every :class:`Connector` field is optional; ``last_updated`` is required.
    """

    id: CiString36 | None = None
    standard: ConnectorType | None = None
    format: ConnectorFormat | None = None
    power_type: PowerType | None = None
    max_voltage: Int | None = None
    max_amperage: Int | None = None
    max_electric_power: Int | None = None
    tariff_ids: list[CiString36] | None = None
    terms_and_conditions: URL | None = None
