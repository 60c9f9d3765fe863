"""Behaviour of the OCPI 2.1.1 wire models: what they reject, what they emit, PATCH semantics."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ocpikit.protocol.v211.cdrs import CDR
from ocpikit.protocol.v211.commands import (
    CommandResponse,
    ReserveNow,
    StartSession,
    UnlockConnector,
)
from ocpikit.protocol.v211.common import DisplayText, EnvironmentalImpact, GeoLocation, OcpiModel
from ocpikit.protocol.v211.credentials import Credentials
from ocpikit.protocol.v211.locations import (
    EVSE,
    Connector,
    EvsePatch,
    Hours,
    Location,
    LocationPatch,
    RegularHours,
)
from ocpikit.protocol.v211.sessions import Session, SessionPatch
from ocpikit.protocol.v211.tariffs import Tariff, TariffPatch, TariffRestrictions
from ocpikit.protocol.v211.tokens import AuthorizationInfo, Token, TokenPatch
from ocpikit.protocol.v211.versions import VersionDetails

T0 = "2015-06-29T20:39:09Z"


def connector(**extra: Any) -> dict[str, Any]:
    return {
        "id": "1",
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "voltage": 230,
        "amperage": 16,
        "tariff_id": "11",
        "last_updated": T0,
        **extra,
    }


def evse(**extra: Any) -> dict[str, Any]:
    return {
        "uid": "3256",
        "status": "AVAILABLE",
        "connectors": [connector()],
        "last_updated": T0,
        **extra,
    }


def location(**extra: Any) -> dict[str, Any]:
    return {
        "id": "LOC1",
        "type": "ON_STREET",
        "address": "F.Rooseveltlaan 3A",
        "city": "Gent",
        "postal_code": "9000",
        "country": "BEL",
        "coordinates": {"latitude": "51.047599", "longitude": "3.729944"},
        "evses": [evse()],
        "last_updated": T0,
        **extra,
    }


def token(**extra: Any) -> dict[str, Any]:
    return {
        "uid": "012345678",
        "type": "RFID",
        "auth_id": "DE8ACC12E46L89",
        "issuer": "TheNewMotion",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": T0,
        **extra,
    }


def session(**extra: Any) -> dict[str, Any]:
    return {
        "id": "101",
        "start_datetime": T0,
        "kwh": 0,
        "auth_id": "DE8ACC12E46L89",
        "auth_method": "WHITELIST",
        "location": location(),
        "currency": "EUR",
        "status": "PENDING",
        "last_updated": T0,
        **extra,
    }


def tariff(**extra: Any) -> dict[str, Any]:
    return {
        "id": "12",
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "TIME", "price": 2, "step_size": 300}]}],
        "last_updated": T0,
        **extra,
    }


def cdr(**extra: Any) -> dict[str, Any]:
    return {
        "id": "12345",
        "start_date_time": T0,
        "stop_date_time": "2015-06-29T23:37:32Z",
        "auth_id": "DE8ACC12E46L89",
        "auth_method": "WHITELIST",
        "location": location(),
        "currency": "EUR",
        "charging_periods": [
            {"start_date_time": T0, "dimensions": [{"type": "TIME", "volume": 1.973}]}
        ],
        "total_cost": 4,
        "total_energy": 15.342,
        "total_time": 1.973,
        "last_updated": T0,
        **extra,
    }


def _locations(model: type[OcpiModel], payload: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return [tuple(e["loc"]) for e in caught.value.errors()]


VALID: list[tuple[type[OcpiModel], dict[str, Any]]] = [
    (Location, location()),
    (EVSE, evse()),
    (Connector, connector()),
    (Session, session()),
    (CDR, cdr()),
    (Tariff, tariff()),
    (Token, token()),
]


@pytest.mark.parametrize(("model", "payload"), VALID, ids=lambda v: getattr(v, "__name__", ""))
def test_minimal_valid_objects_round_trip(model: type[OcpiModel], payload: dict[str, Any]) -> None:
    assert model.model_validate(model.model_validate(payload).to_wire()).to_wire() == (
        model.model_validate(payload).to_wire()
    )


# (model, payload, field path, bad value): one wrong value each, the error names the field.
BAD_VALUES = [
    # closed enums, including 2.2.1 values that 2.1.1 lacks
    (Location, location(), ("type",), "ALONG_MOTORWAY"),
    (Connector, connector(), ("standard",), "NEMA_5_20"),
    (Connector, connector(), ("power_type",), "AC_2_PHASE"),
    (EVSE, evse(), ("capabilities",), ["CHIP_CARD_SUPPORT"]),
    (Location, location(), ("facilities",), ["METRO_STATION"]),
    (Session, session(), ("status",), "RESERVATION"),
    (Session, session(), ("auth_method",), "COMMAND"),
    (Token, token(), ("type",), "APP_USER"),
    (
        CDR,
        cdr(),
        ("charging_periods",),
        [{"start_date_time": T0, "dimensions": [{"type": "POWER", "volume": 1}]}],
    ),
    # too long
    (Location, location(), ("id",), "x" * 40),
    (Location, location(), ("address",), "x" * 46),
    (Location, location(), ("postal_code",), "x" * 11),
    (Connector, connector(), ("tariff_id",), "x" * 37),
    (Token, token(), ("auth_id",), "x" * 37),
    (Session, session(), ("id",), "x" * 37),
    (CDR, cdr(), ("id",), "x" * 37),
    (Tariff, tariff(), ("id",), "x" * 37),
    # wrong JSON type
    (Connector, connector(), ("voltage",), "230"),
    (Connector, connector(), ("amperage",), 16.5),
    (Token, token(), ("valid",), "true"),
    (Location, location(), ("evses",), {"uid": "1"}),
    (Session, session(), ("kwh",), True),
    (CDR, cdr(), ("total_cost",), {"excl_vat": 4}),
    # 2.1.1 strings are printable ASCII only
    (Location, location(), ("city",), "Liège"),
    (Token, token(), ("issuer",), "Tab\there"),
    # coordinates: exactly six decimals
    (Location, location(), ("coordinates", "latitude"), "51.04759"),
    (Location, location(), ("coordinates", "longitude"), "3.7299441"),
]


@pytest.mark.parametrize(("model", "payload", "path", "value"), BAD_VALUES)
def test_bad_value_is_rejected_naming_the_field(
    model: type[OcpiModel], payload: dict[str, Any], path: tuple[str, ...], value: Any
) -> None:
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    errors = _locations(model, payload)

    assert errors and all(e[: len(path)] == path for e in errors), errors


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (Location, location(), "postal_code"),  # required in 2.1.1 (optional in 2.2.1)
        (Location, location(), "type"),
        (Connector, connector(), "voltage"),
        (Session, session(), "location"),
        (Session, session(), "auth_id"),
        (CDR, cdr(), "stop_date_time"),
        (CDR, cdr(), "location"),
        (Token, token(), "auth_id"),
    ],
)
def test_missing_required_field_is_rejected(
    model: type[OcpiModel], payload: dict[str, Any], field: str
) -> None:
    del payload[field]

    assert _locations(model, payload) == [(field,)]


def test_time_zone_is_optional_in_a_2_1_1_location() -> None:
    assert "time_zone" not in Location.model_validate(location()).to_wire()


def test_2_2_1_fields_are_ignored_and_not_echoed() -> None:
    payload = location(country_code="BE", party_id="BEC", publish=True, parking_type="ON_STREET")

    assert Location.model_validate(payload).to_wire() == location()


@pytest.mark.parametrize(
    ("hours", "ok"),
    [
        ({"twentyfourseven": True}, True),
        (
            {
                "twentyfourseven": False,
                "regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "20:00"}],
            },
            True,
        ),
        ({"regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "24:00"}]}, True),
        ({"twentyfourseven": True, "regular_hours": []}, True),
        ({"exceptional_openings": []}, False),
        (
            {
                "twentyfourseven": True,
                "regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "20:00"}],
            },
            False,
        ),
    ],
)
def test_hours_is_a_choice_of_regular_hours_or_twentyfourseven(
    hours: dict[str, Any], ok: bool
) -> None:
    if ok:
        assert Hours.model_validate(hours).to_wire() == hours
    else:
        assert _locations(Hours, hours) == [()]


def test_regular_hours_end_must_be_later_than_begin() -> None:
    assert _locations(
        RegularHours, {"weekday": 1, "period_begin": "20:00", "period_end": "08:00"}
    ) == [()]


def test_environmental_impact_names_its_category_source() -> None:
    impact = EnvironmentalImpact.model_validate({"source": "CARBON_DIOXIDE", "amount": 372})

    assert impact.to_wire() == {"source": "CARBON_DIOXIDE", "amount": 372}
    assert _locations(EnvironmentalImpact, {"category": "CARBON_DIOXIDE", "amount": 1}) == [
        ("source",)
    ]


def test_tariff_restrictions_have_no_2_2_1_only_fields() -> None:
    restrictions = TariffRestrictions.model_validate(
        {"max_power": 32, "max_current": 16, "reservation": "RESERVATION", "start_time": "24:00"}
    )

    assert restrictions.to_wire() == {"max_power": 32, "start_time": "24:00"}


def test_price_component_has_no_vat() -> None:
    parsed = Tariff.model_validate(
        tariff(
            elements=[
                {"price_components": [{"type": "FLAT", "price": 1, "vat": 21, "step_size": 1}]}
            ]
        )
    )

    assert parsed.to_wire()["elements"][0]["price_components"][0] == {
        "type": "FLAT",
        "price": 1,
        "step_size": 1,
    }


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (EvsePatch, {"status": "CHARGING"}),
        (LocationPatch, {"name": "Interparking Gent Zuid"}),
        (SessionPatch, {"total_cost": 0.6}),
        (TariffPatch, {"currency": "EUR"}),
        (TokenPatch, {"valid": False}),
    ],
)
def test_patch_without_last_updated_is_accepted(
    model: type[OcpiModel], body: dict[str, Any]
) -> None:
    patch = model.model_validate(body)

    assert patch.to_wire() == body


def test_patch_changes_are_the_sent_non_null_fields() -> None:
    patch = TokenPatch.model_validate({"valid": False, "language": None, "last_updated": T0})

    assert set(patch.changes()) == {"valid", "last_updated"}


def test_session_total_cost_is_a_plain_number() -> None:
    parsed = Session.model_validate(session(total_cost=2.5))

    assert parsed.total_cost == Decimal("2.5")
    assert parsed.to_wire()["total_cost"] == 2.5


def test_reserve_now_reservation_id_is_a_strict_int() -> None:
    body = {
        "response_url": "https://msp.example.com/cmd/1",
        "token": token(),
        "expiry_date": T0,
        "reservation_id": 1234,
        "location_id": "LOC1",
    }

    assert ReserveNow.model_validate(body).to_wire() == body
    assert _locations(ReserveNow, {**body, "reservation_id": "1234"}) == [("reservation_id",)]


def test_start_session_has_no_connector_and_unlock_needs_all_three_ids() -> None:
    start = StartSession.model_validate(
        {"response_url": "https://m/1", "token": token(), "location_id": "L", "connector_id": "1"}
    )

    assert "connector_id" not in start.to_wire()
    assert _locations(
        UnlockConnector, {"response_url": "https://m/1", "location_id": "L", "evse_uid": "E"}
    ) == [("connector_id",)]


def test_command_response_is_only_a_result() -> None:
    assert CommandResponse.model_validate({"result": "TIMEOUT", "timeout": 30}).to_wire() == {
        "result": "TIMEOUT"
    }
    assert _locations(CommandResponse, {"result": "EVSE_OCCUPIED"}) == [("result",)]


def test_authorization_info_has_no_token() -> None:
    info = AuthorizationInfo.model_validate(
        {
            "allowed": "ALLOWED",
            "token": token(),
            "location": {"location_id": "L", "connector_ids": ["1"]},
        }
    )

    assert info.to_wire() == {
        "allowed": "ALLOWED",
        "location": {"location_id": "L", "connector_ids": ["1"]},
    }


def test_credentials_carry_one_party_and_no_roles() -> None:
    body = {
        "token": "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2",
        "url": "https://example.com/ocpi/cpo/versions/",
        "business_details": {"name": "Example Operator"},
        "party_id": "EXA",
        "country_code": "NL",
    }

    assert Credentials.model_validate({**body, "roles": []}).to_wire() == body
    assert _locations(Credentials, {**body, "party_id": "EX"}) == [("party_id",)]
    assert _locations(Credentials, {**body, "token": "with space"}) == [("token",)]


def test_version_details_endpoints_have_no_role() -> None:
    body = {"version": "2.1.1", "endpoints": [{"identifier": "nltnm-tokens", "url": "https://e/x"}]}

    assert VersionDetails.model_validate(body).to_wire() == body
    assert _locations(VersionDetails, {"version": "2.1.1", "endpoints": []}) == [("endpoints",)]


def test_v211_never_imports_v221() -> None:
    package = Path(__file__).resolve().parents[3] / "src" / "ocpikit" / "protocol" / "v211"
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert "v221" not in (node.module or ""), source.name


PRINTABLE_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@given(text=st.text(PRINTABLE_ASCII, max_size=512))
def test_printable_ascii_display_text_round_trips(text: str) -> None:
    model = DisplayText(language="en", text=text)

    assert DisplayText.model_validate_json(model.to_json_bytes()) == model


@given(
    head=st.text(PRINTABLE_ASCII, max_size=20),
    bad=st.characters(blacklist_categories=["Cs"]).filter(lambda c: not 0x20 <= ord(c) <= 0x7E),
)
def test_string_with_a_non_ascii_or_control_character_is_rejected(head: str, bad: str) -> None:
    assert _locations(DisplayText, {"language": "en", "text": head + bad}) == [("text",)]


@given(
    lat=st.decimals(min_value=-90, max_value=90, places=6, allow_nan=False, allow_infinity=False),
    lon=st.decimals(min_value=-180, max_value=180, places=6, allow_nan=False, allow_infinity=False),
)
def test_six_decimal_coordinates_are_accepted(lat: Decimal, lon: Decimal) -> None:
    point = GeoLocation(latitude=f"{lat:.6f}", longitude=f"{lon:.6f}")

    assert GeoLocation.model_validate(point.to_wire()) == point
