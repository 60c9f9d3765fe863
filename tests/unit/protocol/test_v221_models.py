"""Behaviour of the OCPI 2.2.1 wire models: what they reject, what they emit, PATCH semantics."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from pydantic import ValidationError

from ocpikit.protocol.v221.cdrs import CDR, SignedValue
from ocpikit.protocol.v221.chargingprofiles import (
    ActiveChargingProfileResult,
    ChargingProfile,
    ChargingProfilePeriod,
    ChargingProfileResultType,
    ChargingRateUnit,
    SetChargingProfile,
)
from ocpikit.protocol.v221.commands import (
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    StartSession,
)
from ocpikit.protocol.v221.common import (
    DisplayText,
    GeoLocation,
    Image,
    OcpiModel,
    OcpiPatch,
    Price,
    Role,
)
from ocpikit.protocol.v221.hubclientinfo import ClientInfo, ConnectionStatus
from ocpikit.protocol.v221.locations import (
    EVSE,
    Connector,
    ConnectorPatch,
    EvsePatch,
    Hours,
    Location,
    LocationPatch,
    PublishTokenType,
    RegularHours,
    Status,
)
from ocpikit.protocol.v221.sessions import ChargingPreferences, Session, SessionPatch
from ocpikit.protocol.v221.tariffs import Tariff, TariffRestrictions
from ocpikit.protocol.v221.tokens import AuthorizationInfo, Token, TokenPatch

from .v221_support import needs_shared, schema_errors

T0 = "2019-06-24T12:39:09Z"


def connector() -> dict[str, Any]:
    return {
        "id": "1",
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 32,
        "last_updated": T0,
    }


def evse() -> dict[str, Any]:
    return {"uid": "3256", "status": "AVAILABLE", "connectors": [connector()], "last_updated": T0}


def location() -> dict[str, Any]:
    return {
        "country_code": "BE",
        "party_id": "BEC",
        "id": "LOC1",
        "publish": True,
        "address": "F.Rooseveltlaan 3A",
        "city": "Gent",
        "country": "BEL",
        "coordinates": {"latitude": "51.047599", "longitude": "3.729944"},
        "time_zone": "Europe/Brussels",
        "evses": [evse()],
        "last_updated": T0,
    }


def token() -> dict[str, Any]:
    return {
        "country_code": "DE",
        "party_id": "TNM",
        "uid": "012345678",
        "type": "RFID",
        "contract_id": "DE8ACC12E46L89",
        "issuer": "TheNewMotion",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": T0,
    }


def cdr_token() -> dict[str, Any]:
    return {
        "country_code": "DE",
        "party_id": "TNM",
        "uid": "012345678",
        "type": "RFID",
        "contract_id": "DE8ACC12E46L89",
    }


def session() -> dict[str, Any]:
    return {
        "country_code": "BE",
        "party_id": "BEC",
        "id": "101",
        "start_date_time": "2019-06-23T08:11:00Z",
        "kwh": 0,
        "cdr_token": cdr_token(),
        "auth_method": "WHITELIST",
        "location_id": "LOC1",
        "evse_uid": "3256",
        "connector_id": "1",
        "currency": "EUR",
        "status": "PENDING",
        "last_updated": T0,
    }


def cdr() -> dict[str, Any]:
    return {
        "country_code": "BE",
        "party_id": "BEC",
        "id": "12345",
        "start_date_time": "2015-06-29T21:39:09Z",
        "end_date_time": "2015-06-29T23:37:32Z",
        "cdr_token": cdr_token(),
        "auth_method": "WHITELIST",
        "cdr_location": {
            "id": "LOC1",
            "address": "F.Rooseveltlaan 3A",
            "city": "Gent",
            "country": "BEL",
            "coordinates": {"latitude": "51.047599", "longitude": "3.729944"},
            "evse_uid": "3256",
            "evse_id": "BE*BEC*E041503003",
            "connector_id": "1",
            "connector_standard": "IEC_62196_T2",
            "connector_format": "SOCKET",
            "connector_power_type": "AC_1_PHASE",
        },
        "currency": "EUR",
        "charging_periods": [
            {
                "start_date_time": "2015-06-29T21:39:09Z",
                "dimensions": [{"type": "TIME", "volume": 1.97}],
            }
        ],
        "total_cost": {"excl_vat": 4.0, "incl_vat": 4.4},
        "total_energy": 15.342,
        "total_time": 1.973,
        "last_updated": "2015-06-29T23:37:32Z",
    }


def tariff() -> dict[str, Any]:
    return {
        "country_code": "DE",
        "party_id": "ALL",
        "id": "12",
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]}],
        "last_updated": T0,
    }


def locs(error: ValidationError) -> set[tuple[str | int, ...]]:
    return {tuple(e["loc"]) for e in error.errors()}


# --- rejected inputs name the field -------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "model", "path", "bad_value"),
    [
        (location, Location, ("id",), "x" * 37),
        (location, Location, ("party_id",), "BECX"),
        (location, Location, ("country_code",), "BEL"),
        (location, Location, ("city",), "g" * 46),
        (location, Location, ("address",), "a" * 256),
        (location, Location, ("state",), "s" * 46),
        (location, Location, ("name",), "n" * 256),
        (location, Location, ("evses", 0, "evse_id"), "E" * 49),
        (location, Location, ("evses", 0, "physical_reference"), "p" * 17),
        (location, Location, ("evses", 0, "floor_level"), "12345"),
        (token, Token, ("uid",), "u" * 37),
        (token, Token, ("issuer",), "i" * 65),
        (token, Token, ("language",), "nld"),
        (cdr, CDR, ("id",), "c" * 40),
        (cdr, CDR, ("remark",), "r" * 256),
        (session, Session, ("currency",), "EURO"),
        (tariff, Tariff, ("currency",), "EURO"),
    ],
)
def test_over_long_string_is_rejected_naming_the_field(
    make: Any, model: Any, path: tuple[str | int, ...], bad_value: str
) -> None:
    payload = make()
    target = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = bad_value

    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)

    assert locs(caught.value) == {path}


@pytest.mark.parametrize("control", ["\n", "\r", "\t", "\x00", "\x7f", "\x85"])
def test_control_character_in_string_is_rejected(control: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DisplayText.model_validate({"language": "en", "text": f"Standard{control}Tariff"})

    assert locs(caught.value) == {("text",)}


def test_non_ascii_in_cistring_is_rejected_but_accepted_in_string() -> None:
    payload = token()
    payload["issuer"] = "Électricité"
    payload["uid"] = "Ü1234"

    with pytest.raises(ValidationError) as caught:
        Token.model_validate(payload)

    assert locs(caught.value) == {("uid",)}


@pytest.mark.parametrize(
    ("make", "model", "path", "bad_value"),
    [
        (location, Location, ("evses", 0, "status"), "AVAILABLE_SOON"),
        (location, Location, ("evses", 0, "connectors", 0, "standard"), "iec_62196_t2"),
        (location, Location, ("evses", 0, "connectors", 0, "power_type"), "AC_4_PHASE"),
        (location, Location, ("parking_type",), "GARAGE"),
        (token, Token, ("type",), "RFID_CARD"),
        (token, Token, ("whitelist",), "SOMETIMES"),
        (session, Session, ("status",), "RESERVED"),
        (cdr, CDR, ("auth_method",), "APP"),
    ],
)
def test_unknown_enum_value_is_rejected_naming_the_field(
    make: Any, model: Any, path: tuple[str | int, ...], bad_value: str
) -> None:
    payload = make()
    target = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = bad_value

    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)

    assert locs(caught.value) == {path}


@pytest.mark.parametrize(
    ("make", "model", "field"),
    [
        (location, Location, "coordinates"),
        (location, Location, "time_zone"),
        (location, Location, "last_updated"),
        (token, Token, "issuer"),
        (token, Token, "whitelist"),
        (session, Session, "cdr_token"),
        (session, Session, "kwh"),
        (cdr, CDR, "charging_periods"),
        (cdr, CDR, "total_cost"),
        (tariff, Tariff, "elements"),
    ],
)
def test_missing_required_field_is_rejected_naming_it(make: Any, model: Any, field: str) -> None:
    payload = make()
    del payload[field]

    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)

    assert locs(caught.value) == {(field,)}


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (EVSE, {**evse(), "connectors": []}, "connectors"),
        (Tariff, {**tariff(), "elements": []}, "elements"),
        (CDR, {**cdr(), "charging_periods": []}, "charging_periods"),
    ],
)
def test_empty_list_for_one_or_more_field_is_rejected(model: Any, payload: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)

    assert locs(caught.value) == {(field,)}


@pytest.mark.parametrize(
    "value",
    [
        "2019-06-24T12:39:09+00:00",
        "2019-06-24T14:39:09+02:00",
        "2019-06-24 12:39:09Z",
        "2019-06-24",
        "24-06-2019T12:39:09Z",
    ],
)
def test_datetime_with_offset_or_other_format_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Token.model_validate({**token(), "last_updated": value})

    assert locs(caught.value) == {("last_updated",)}


@pytest.mark.parametrize(
    "value",
    [
        "2015-06-29T20:39:09Z",
        "2015-06-29T20:39:09",
        "2016-12-29T17:45:09.2Z",
        "2018-01-01T01:08:01.123",
    ],
)
def test_datetime_forms_of_the_spec_are_accepted_and_emitted_in_utc_with_z(value: str) -> None:
    parsed = Token.model_validate({**token(), "last_updated": value})

    assert parsed.last_updated.tzinfo is not None
    assert parsed.to_wire()["last_updated"].endswith("Z")


@pytest.mark.parametrize(
    ("path", "bad_value"),
    [
        (("evses", 0, "connectors", 0, "max_voltage"), "230"),
        (("evses", 0, "connectors", 0, "max_amperage"), 32.5),
        (("publish",), "true"),
        (("publish",), 1),
    ],
)
def test_int_and_boolean_are_strict_json_types(path: tuple[str | int, ...], bad_value: Any) -> None:
    payload = location()
    target: Any = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = bad_value

    with pytest.raises(ValidationError) as caught:
        Location.model_validate_json(json.dumps(payload))

    assert locs(caught.value) == {path}


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("51.0475", "3.729944"),
        ("51,047599", "3.729944"),
        ("510.047599", "3.729944"),
        ("51.047599", "3"),
    ],
)
def test_geolocation_not_matching_the_spec_regex_is_rejected(latitude: str, longitude: str) -> None:
    with pytest.raises(ValidationError):
        GeoLocation.model_validate({"latitude": latitude, "longitude": longitude})


def test_number_is_decimal_and_rejects_booleans() -> None:
    price = Price.model_validate_json('{"excl_vat": 0.1, "incl_vat": 0.121}')

    assert price.excl_vat == Decimal("0.1")
    assert price.incl_vat == Decimal("0.121")
    with pytest.raises(ValidationError) as caught:
        Price.model_validate_json('{"excl_vat": true}')
    assert locs(caught.value) == {("excl_vat",)}


# --- errata lengths (ERR-04) --------------------------------------------------------------


def test_errata_lengths_are_accepted() -> None:
    parsed = Location.model_validate({**location(), "address": "a" * 255, "state": "s" * 45})
    payload = cdr()
    payload["cdr_location"] |= {"address": "a" * 255, "state": "s" * 45}

    assert len(parsed.address) == 255
    assert CDR.model_validate(payload).cdr_location.state == "s" * 45
    assert SignedValue(nature="Start", plain_data="p" * 5000, signed_data="s").plain_data


# --- tolerance and emission ---------------------------------------------------------------


def test_unknown_fields_are_ignored_and_not_emitted() -> None:
    payload = location()
    payload["x_vendor_extension"] = {"anything": [1, 2]}
    payload["evses"][0]["connectors"][0]["x_pin"] = "1234"

    wire = Location.model_validate(payload).to_wire()

    assert "x_vendor_extension" not in wire
    assert "x_pin" not in wire["evses"][0]["connectors"][0]


def test_absent_optional_and_list_fields_are_omitted_on_output() -> None:
    wire = Location.model_validate(location()).to_wire()

    for absent in ("name", "postal_code", "publish_allowed_to", "facilities", "images", "operator"):
        assert absent not in wire
    assert "charging_when_closed" not in wire
    assert "tariff_ids" not in wire["evses"][0]["connectors"][0]


def test_explicit_null_optional_field_is_read_as_absent() -> None:
    payload = {**location(), "name": None, "facilities": None}

    wire = Location.model_validate(payload).to_wire()

    assert "name" not in wire
    assert "facilities" not in wire


def test_empty_list_stays_an_empty_list() -> None:
    payload = location()
    payload["evses"][0]["connectors"][0]["tariff_ids"] = []

    wire = Location.model_validate(payload).to_wire()

    assert wire["evses"][0]["connectors"][0]["tariff_ids"] == []


def test_to_json_bytes_matches_to_wire() -> None:
    model = CDR.model_validate(cdr())

    assert json.loads(model.to_json_bytes()) == model.to_wire()


def test_vat_absent_differs_from_zero_vat() -> None:
    payload = tariff()
    payload["elements"].append(
        {"price_components": [{"type": "FLAT", "price": 1, "vat": 0, "step_size": 1}]}
    )

    wire = Tariff.model_validate(payload).to_wire()

    assert "vat" not in wire["elements"][0]["price_components"][0]
    assert wire["elements"][1]["price_components"][0]["vat"] == 0


def test_models_built_in_code_emit_wire_values() -> None:
    info = ClientInfo(
        party_id="ABC",
        country_code="NL",
        role=Role.CPO,
        status=ConnectionStatus.CONNECTED,
        last_updated=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    )

    assert info.to_wire() == {
        "party_id": "ABC",
        "country_code": "NL",
        "role": "CPO",
        "status": "CONNECTED",
        "last_updated": "2020-01-02T03:04:05Z",
    }


# --- PATCH models -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [LocationPatch, EvsePatch, ConnectorPatch, SessionPatch, TokenPatch]
)
def test_patch_without_last_updated_is_rejected(model: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({})

    assert locs(caught.value) == {("last_updated",)}


def test_patch_changes_are_only_the_fields_sent() -> None:
    patch = EvsePatch.model_validate({"status": "CHARGING", "last_updated": T0})

    assert patch.model_fields_set == {"status", "last_updated"}
    assert patch.changes() == {"status": Status.CHARGING, "last_updated": patch.last_updated}
    assert patch.to_wire() == {"status": "CHARGING", "last_updated": T0}


def test_patch_explicit_null_is_no_change() -> None:
    patch = TokenPatch.model_validate({"visual_number": None, "valid": False, "last_updated": T0})

    assert patch.changes() == {"valid": False, "last_updated": patch.last_updated}


def test_patch_fields_are_validated_like_the_object() -> None:
    with pytest.raises(ValidationError) as caught:
        ConnectorPatch.model_validate({"tariff_ids": ["t" * 37], "last_updated": T0})

    assert locs(caught.value) == {("tariff_ids", 0)}


def test_session_patch_charging_periods_parse_into_models() -> None:
    patch = SessionPatch.model_validate(
        {
            "kwh": 15,
            "charging_periods": [
                {"start_date_time": T0, "dimensions": [{"type": "ENERGY", "volume": 2.2}]}
            ],
            "last_updated": T0,
        }
    )

    assert patch.charging_periods is not None
    assert patch.charging_periods[0].dimensions[0].volume == Decimal("2.2")


# --- cross-field rules the spec states ----------------------------------------------------


def test_hours_twentyfourseven_false_requires_regular_hours() -> None:
    with pytest.raises(ValidationError, match="regular_hours"):
        Hours.model_validate({"twentyfourseven": False})


def test_hours_twentyfourseven_true_forbids_regular_hours() -> None:
    with pytest.raises(ValidationError, match="regular_hours"):
        Hours.model_validate(
            {
                "twentyfourseven": True,
                "regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "20:00"}],
            }
        )


@pytest.mark.parametrize(
    ("weekday", "begin", "end", "field"),
    [
        (0, "08:00", "20:00", "weekday"),
        (8, "08:00", "20:00", "weekday"),
        (1, "8:00", "20:00", "period_begin"),
        (1, "08:00", "24:00", "period_end"),
    ],
)
def test_regular_hours_field_formats(weekday: int, begin: str, end: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RegularHours.model_validate({"weekday": weekday, "period_begin": begin, "period_end": end})

    assert locs(caught.value) == {(field,)}


def test_regular_hours_end_must_be_later_than_begin() -> None:
    with pytest.raises(ValidationError, match="period_end must be later"):
        RegularHours.model_validate({"weekday": 1, "period_begin": "20:00", "period_end": "08:00"})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"type": "RFID", "issuer": "X"}, "at least one of"),
        ({"uid": "123"}, "type is required"),
        ({"visual_number": "DF000-2001-8999"}, "issuer is required"),
    ],
)
def test_publish_token_rules(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PublishTokenType.model_validate(payload)


def test_publish_allowed_to_only_when_not_published() -> None:
    payload = {**location(), "publish_allowed_to": [{"group_id": "G1"}]}

    with pytest.raises(ValidationError, match="publish_allowed_to"):
        Location.model_validate(payload)
    assert Location.model_validate({**payload, "publish": False}).publish_allowed_to


def test_start_session_connector_requires_evse() -> None:
    payload = {"response_url": "https://emsp.example/cmd/1", "token": token(), "location_id": "L1"}

    with pytest.raises(ValidationError, match="evse_uid is required"):
        StartSession.model_validate({**payload, "connector_id": "1"})
    assert StartSession.model_validate({**payload, "evse_uid": "E1", "connector_id": "1"})


def test_credit_cdr_requires_credit_reference_id() -> None:
    with pytest.raises(ValidationError, match="credit_reference_id"):
        CDR.model_validate({**cdr(), "id": "12345-C", "credit": True})
    assert CDR.model_validate({**cdr(), "credit": True, "credit_reference_id": "12345"}).credit


@pytest.mark.parametrize("limit", [8.15, 0.05, 32.123])
def test_charging_profile_limit_accepts_at_most_one_decimal(limit: float) -> None:
    with pytest.raises(ValidationError) as caught:
        ChargingProfilePeriod.model_validate({"start_period": 0, "limit": limit})

    assert locs(caught.value) == {("limit",)}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start_time", "25:00"),
        ("end_time", "1:30"),
        ("start_date", "2015-13-01"),
        ("end_date", "15-12-27"),
    ],
)
def test_tariff_restriction_formats(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TariffRestrictions.model_validate({field: value})

    assert locs(caught.value) == {(field,)}


def test_tariff_restriction_end_time_before_start_time_wraps_and_is_valid() -> None:
    restriction = TariffRestrictions.model_validate({"start_time": "22:00", "end_time": "06:00"})

    assert restriction.end_time == "06:00"


def test_image_dimensions_are_int5() -> None:
    base = {"url": "https://cpo.example/logo.png", "category": "OPERATOR", "type": "png"}

    assert Image.model_validate({**base, "width": 99999}).width == 99999
    with pytest.raises(ValidationError) as caught:
        Image.model_validate({**base, "width": 100000, "type": "jpeg2"})
    assert locs(caught.value) == {("width",), ("type",)}


# --- module objects without spec examples validate against the OpenAPI schemas -------------


def _command_and_profile_objects() -> list[Any]:
    profile = ChargingProfile(
        charging_rate_unit=ChargingRateUnit.A,
        min_charging_rate=Decimal("6.0"),
        charging_profile_period=[ChargingProfilePeriod(start_period=0, limit=Decimal("16.5"))],
    )
    objects = [
        (
            "commands.yaml",
            "CommandResponse",
            CommandResponse(
                result=CommandResponseType.ACCEPTED,
                timeout=30,
                message=[DisplayText(language="en", text="Forwarded")],
            ).to_wire(),
        ),
        (
            "commands.yaml",
            "CommandResult",
            CommandResult(result=CommandResultType.ACCEPTED).to_wire(),
        ),
        (
            "commands.yaml",
            "StartSession",
            StartSession.model_validate(
                {"response_url": "https://e.example/r/1", "token": token(), "location_id": "L1"}
            ).to_wire(),
        ),
        (
            "charging-profiles.yaml",
            "SetChargingProfile",
            SetChargingProfile(
                charging_profile=profile, response_url="https://s.example/r/2"
            ).to_wire(),
        ),
        (
            "charging-profiles.yaml",
            "ActiveChargingProfileResult",
            ActiveChargingProfileResult.model_validate(
                {
                    "result": ChargingProfileResultType.ACCEPTED,
                    "profile": {"start_date_time": T0, "charging_profile": profile.to_wire()},
                }
            ).to_wire(),
        ),
        (
            "sessions.yaml",
            "ChargingPreferences",
            ChargingPreferences.model_validate(
                {"profile_type": "FAST", "departure_time": T0, "energy_need": 12.5}
            ).to_wire(),
        ),
        (
            "tokens.yaml",
            "AuthorizationInfo",
            AuthorizationInfo.model_validate(
                {
                    "allowed": "ALLOWED",
                    "token": token(),
                    "location": {"location_id": "L1", "evse_uids": ["E1"]},
                    "authorization_reference": "AUTH-1",
                }
            ).to_wire(),
        ),
        (
            "hub-client-info.yaml",
            "ClientInfo",
            ClientInfo.model_validate(
                {
                    "party_id": "ABC",
                    "country_code": "NL",
                    "role": "EMSP",
                    "status": "OFFLINE",
                    "last_updated": T0,
                }
            ).to_wire(),
        ),
        ("locations.yaml", "Connector", Connector.model_validate(connector()).to_wire()),
    ]
    return [pytest.param(*obj, id=obj[1]) for obj in objects]


@needs_shared
@pytest.mark.parametrize(
    ("schema_file", "schema_name", "wire"),
    _command_and_profile_objects(),
)
def test_objects_without_spec_examples_are_valid_against_openapi_schema(
    schema_file: str, schema_name: str, wire: dict[str, Any]
) -> None:
    assert schema_errors(schema_file, schema_name, wire) == []


@needs_shared
def test_openapi_check_reports_a_wrong_enum_value() -> None:
    wire = Location.model_validate(location()).to_wire()
    wire["evses"][0]["connectors"][0]["power_type"] = "AC_4_PHASE"

    assert schema_errors("locations.yaml", "Location", wire) != []


# --- conventions ---------------------------------------------------------------------------

WIRE_MODULES = [
    "common",
    "locations",
    "sessions",
    "cdrs",
    "tariffs",
    "tokens",
    "commands",
    "chargingprofiles",
    "hubclientinfo",
]


@pytest.mark.parametrize("name", WIRE_MODULES)
def test_wire_module_exports_and_documents_its_spec_sections(name: str) -> None:
    module = importlib.import_module(f"ocpikit.protocol.v221.{name}")

    for export in module.__all__:
        obj = getattr(module, export)
        if isinstance(obj, type) and issubclass(obj, OcpiModel | StrEnum):
            if obj in (OcpiModel, OcpiPatch):
                continue
            assert obj.__doc__ is not None and ".asciidoc §" in obj.__doc__, export
