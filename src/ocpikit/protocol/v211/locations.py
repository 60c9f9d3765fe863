"""OCPI 2.1.1 Locations module wire models (``mod_locations.md``).

Location, EVSE and Connector, their data types, and the PATCH bodies of each level. The data
types that Tariffs, Sessions and CDRs reuse (GeoLocation, BusinessDetails, Image, EnergyMix and
the connector enums) are defined in :mod:`ocpikit.protocol.v211.common` and re-exported here.

What 2.1.1 has that 2.2.1 does not, or has differently: Location ``type`` (LocationType, 1)
instead of ``parking_type``; no ``country_code``/``party_id``/``publish``/``state``;
``postal_code`` required and ``time_zone`` optional; ids are ``string(39)``; Connector
``voltage``/``amperage`` and a single ``tariff_id``; Hours is a *choice* of ``regular_hours``
or ``twentyfourseven``; shorter Capability and Facility enums.

Where the OpenAPI description of 2.1.1 disagrees (it describes the 2.2.1 Location, EVSE and
Connector: ``country_code``, ``publish``, ``max_voltage``, ``tariff_ids``, ``parking_type``,
``time_zone`` required, ``Hours.twentyfourseven`` required, 2.2.1 enums, ids of 36), these
models follow the 2.1.1 text.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from ocpikit.protocol.v211.common import (
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
    String3,
    String4,
    String10,
    String16,
    String36,
    String39,
    String45,
    String48,
    String255,
)
from ocpikit.types import URL, DateTime

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
    "LocationType",
    "ParkingRestriction",
    "PowerType",
    "RegularHours",
    "Status",
    "StatusSchedule",
]

# "Must be in 24h format with leading zeros ... Regex: [0-2][0-9]:[0-5][0-9]" (looser than
# 2.2.1's ([0-1][0-9]|2[0-3]): "24:00" is valid 2.1.1).
_HourMinute = Annotated[str, StringConstraints(max_length=5, pattern=r"^[0-2][0-9]:[0-5][0-9]$")]


class Capability(StrEnum):
    """``mod_locations.md §4.2 Capability enum``."""

    CHARGING_PROFILE_CAPABLE = "CHARGING_PROFILE_CAPABLE"
    CREDIT_CARD_PAYABLE = "CREDIT_CARD_PAYABLE"
    REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"
    RESERVABLE = "RESERVABLE"
    RFID_READER = "RFID_READER"
    UNLOCK_CAPABLE = "UNLOCK_CAPABLE"


class Facility(StrEnum):
    """``mod_locations.md §4.11 Facility enum``."""

    HOTEL = "HOTEL"
    RESTAURANT = "RESTAURANT"
    CAFE = "CAFE"
    MALL = "MALL"
    SUPERMARKET = "SUPERMARKET"
    SPORT = "SPORT"
    RECREATION_AREA = "RECREATION_AREA"
    NATURE = "NATURE"
    MUSEUM = "MUSEUM"
    BUS_STOP = "BUS_STOP"
    TAXI_STAND = "TAXI_STAND"
    TRAIN_STATION = "TRAIN_STATION"
    AIRPORT = "AIRPORT"
    CARPOOL_PARKING = "CARPOOL_PARKING"
    FUEL_STATION = "FUEL_STATION"
    WIFI = "WIFI"


class LocationType(StrEnum):
    """``mod_locations.md §4.16 LocationType enum`` (``UNKNOWN`` is the default)."""

    ON_STREET = "ON_STREET"
    PARKING_GARAGE = "PARKING_GARAGE"
    UNDERGROUND_GARAGE = "UNDERGROUND_GARAGE"
    PARKING_LOT = "PARKING_LOT"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class ParkingRestriction(StrEnum):
    """``mod_locations.md §4.17 ParkingRestriction enum``."""

    EV_ONLY = "EV_ONLY"
    PLUGGED = "PLUGGED"
    DISABLED = "DISABLED"
    CUSTOMERS = "CUSTOMERS"
    MOTORCYCLES = "MOTORCYCLES"


class Status(StrEnum):
    """``mod_locations.md §4.20 Status enum`` (status of an EVSE)."""

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
    """``mod_locations.md §4.1 AdditionalGeoLocation class`` (six decimals, as GeoLocation)."""

    latitude: Latitude
    longitude: Longitude
    name: DisplayText | None = None


class ExceptionalPeriod(OcpiModel):
    """``mod_locations.md §4.10 ExceptionalPeriod class``."""

    period_begin: DateTime
    period_end: DateTime


class RegularHours(OcpiModel):
    """``mod_locations.md §4.19 RegularHours class`` (local time of the Location).

    ``period_end`` "Must be later than period_begin"; the check compares the zero-padded
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
    """``mod_locations.md §4.13 Hours class``: "Choice: one of two".

    Either ``regular_hours`` ("Should not be set for representing 24/7") or
    ``twentyfourseven`` ("True to represent 24 hours a day and 7 days a week"). Rejected: neither
    of them (no ``twentyfourseven`` and no regular hours), and ``twentyfourseven=true`` with
    regular hours. An empty ``regular_hours`` list counts as not set. Both present with
    ``twentyfourseven=false`` is accepted: the spec's own example sends that.
    """

    regular_hours: list[RegularHours] | None = None
    twentyfourseven: Bool | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None

    @model_validator(mode="after")
    def _one_of_two(self) -> Self:
        if self.twentyfourseven and self.regular_hours:
            raise ValueError("regular_hours may not be set when twentyfourseven is true")
        if self.twentyfourseven is None and not self.regular_hours:
            raise ValueError("one of regular_hours or twentyfourseven is required")
        return self


class StatusSchedule(OcpiModel):
    """``mod_locations.md §4.21 StatusSchedule class`` (informational only)."""

    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class Connector(OcpiModel):
    """``mod_locations.md §3.3 Connector Object``.

    ``voltage``: "line to neutral for AC_3_PHASE", in volt; ``amperage``: "maximum amperage".
    """

    id: String36
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    voltage: Int
    amperage: Int
    tariff_id: String36 | None = None
    terms_and_conditions: URL | None = None
    last_updated: DateTime


class EVSE(OcpiModel):
    """``mod_locations.md §3.2 EVSE Object``."""

    uid: String39
    evse_id: String48 | None = None
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
    """``mod_locations.md §3.1 Location Object``.

    The owner (country code and party id) is not in the object: it is the party of the
    connection, or the ``{country_code}/{party_id}`` of the eMSP interface URL.
    """

    id: String39
    type: LocationType
    name: String255 | None = None
    address: String45
    city: String45
    postal_code: String10
    country: String3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: String255 | None = None
    opening_times: Hours | None = None
    # Absent means true ("Default: true"); kept absent rather than filled in, so it round-trips.
    charging_when_closed: Bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


class LocationPatch(OcpiPatch):
    """PATCH body of a Location (``mod_locations.md §2.2.3 PATCH Method``).

    Every :class:`Location` field is optional, ``last_updated`` too (2.1.1).
    """

    id: String39 | None = None
    type: LocationType | None = None
    name: String255 | None = None
    address: String45 | None = None
    city: String45 | None = None
    postal_code: String10 | None = None
    country: String3 | None = None
    coordinates: GeoLocation | None = None
    related_locations: list[AdditionalGeoLocation] | None = None
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
    """PATCH body of an EVSE (``mod_locations.md §2.2.3 PATCH Method``).

    Every :class:`EVSE` field is optional, ``last_updated`` too (2.1.1).
    """

    uid: String39 | None = None
    evse_id: String48 | None = None
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
    """PATCH body of a Connector (``mod_locations.md §2.2.3 PATCH Method``).

    Every :class:`Connector` field is optional, ``last_updated`` too (2.1.1).
    """

    id: String36 | None = None
    standard: ConnectorType | None = None
    format: ConnectorFormat | None = None
    power_type: PowerType | None = None
    voltage: Int | None = None
    amperage: Int | None = None
    tariff_id: String36 | None = None
    terms_and_conditions: URL | None = None
