"""The OCPI 2.2.1 spec examples parse into the wire models and round-trip unchanged.

Corpus: ``tests/data/spec_examples/2.2.1`` (unmodified copies, see its README). Each example is
parsed, dumped with ``to_wire()`` and compared with the original (datetimes and numbers
normalised), so a field the model misses or misspells shows up as a difference. The dump is then
validated against the unofficial OpenAPI schema (``shared/ocpi-openapi``), when present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.common import DisplayText, EnergyMix, OcpiModel
from ocpikit.protocol.v221.locations import (
    EVSE,
    ConnectorPatch,
    EvsePatch,
    Hours,
    Location,
    LocationPatch,
)
from ocpikit.protocol.v221.sessions import Session, SessionPatch
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.protocol.v221.tokens import Token, TokenPatch

from .v221_support import CORPUS, SPEC_EXAMPLES, needs_shared, normalise, schema_errors


@dataclass(frozen=True)
class Case:
    """One spec example: the model it is, where in the file it sits, its OpenAPI schema."""

    file: str
    model: type[OcpiModel]
    schema_file: str
    schema_name: str
    key: str | None = None  # the example wraps the object in {key: object}


def _cases() -> list[Case]:
    cases = [
        Case("cdr_example.json", CDR, "cdrs.yaml", "CDR"),
        Case(
            "location_patch_example_location.json", LocationPatch, "locations.yaml", "LocationPatch"
        ),
        Case("location_patch_example_remove_evse.json", EvsePatch, "locations.yaml", "EvsePatch"),
        Case("location_patch_example_status.json", EvsePatch, "locations.yaml", "EvsePatch"),
        Case(
            "location_patch_example_tariff.json", ConnectorPatch, "locations.yaml", "ConnectorPatch"
        ),
        Case(
            "location_regularhours_example.json",
            Hours,
            "shared/schemas/locations.yaml",
            "Hours",
            key="opening_times",
        ),
        Case("token_patch_example.json", TokenPatch, "tokens.yaml", "TokenPatch"),
        Case("token_put_example.json", Token, "tokens.yaml", "Token"),
        Case(
            "type_displaytext_example.json", DisplayText, "shared/schemas/types.yaml", "DisplayText"
        ),
    ]
    names = sorted(p.name for p in CORPUS.glob("*.json"))
    for name in names:
        if name.startswith("location_example"):
            cases.append(Case(name, Location, "locations.yaml", "Location"))
        elif name.startswith("location_hours_"):
            cases.append(Case(name, Hours, "shared/schemas/locations.yaml", "Hours"))
        elif name.startswith("location_energymix_"):
            cases.append(
                Case(
                    name, EnergyMix, "shared/schemas/locations.yaml", "EnergyMix", key="energy_mix"
                )
            )
        elif name.startswith("session_patch_"):
            cases.append(Case(name, SessionPatch, "sessions.yaml", "SessionPatch"))
        elif name.startswith("session_example_"):
            cases.append(Case(name, Session, "sessions.yaml", "Session"))
        elif name.startswith("tariff") and name not in INVALID:
            cases.append(Case(name, Tariff, "tariffs.yaml", "Tariff"))
        elif name.startswith("token_example_"):
            cases.append(Case(name, Token, "tokens.yaml", "Token"))
    return cases


# Examples that break the spec's own object tables (shared/ocpi-openapi/README.md): they must
# be rejected, and the error must name the offending fields.
INVALID: dict[str, tuple[type[OcpiModel], set[tuple[str | int, ...]]]] = {
    "location_put_example_add_evse.json": (
        EVSE,
        {
            ("connectors", 0, "power_type"),
            ("connectors", 0, "max_voltage"),
            ("connectors", 0, "max_amperage"),
            ("connectors", 0, "last_updated"),
            ("physical_reference",),
        },
    ),
    "tariff_put_example.json": (Tariff, {("last_updated",)}),
}

ENVELOPES = {
    "transport_and_format_get_token_example.json": "TokenResponse",
    "transport_and_format_get_token_list_example.json": "TokenListResponse",
}

CASES = _cases()


def _load(name: str) -> Any:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


def _object(case: Case) -> Any:
    document = _load(case.file)
    return document[case.key] if case.key else document


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_spec_example_parses_and_round_trips_unchanged(case: Case) -> None:
    original = _object(case)

    model = case.model.model_validate_json(json.dumps(original))
    dumped = model.to_wire()

    assert normalise(dumped) == normalise(original)
    assert case.model.model_validate(dumped) == model


@needs_shared
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_spec_example_dump_is_valid_against_openapi_schema(case: Case) -> None:
    dumped = case.model.model_validate(_object(case)).to_wire()

    assert schema_errors(case.schema_file, case.schema_name, dumped) == []


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_token_envelope_examples_round_trip(name: str) -> None:
    envelope = _load(name)
    data = envelope["data"]
    items = data if isinstance(data, list) else [data]

    dumped = [Token.model_validate(item).to_wire() for item in items]

    assert normalise(dumped) == normalise(items)


@needs_shared
@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_token_envelope_with_dumped_data_is_valid_against_openapi_schema(name: str) -> None:
    envelope = _load(name)
    data = envelope["data"]
    if isinstance(data, list):
        envelope["data"] = [Token.model_validate(item).to_wire() for item in data]
    else:
        envelope["data"] = Token.model_validate(data).to_wire()

    assert schema_errors("tokens.yaml", ENVELOPES[name], envelope) == []


@pytest.mark.parametrize("name", sorted(INVALID))
def test_defective_spec_example_is_rejected_naming_the_fields(name: str) -> None:
    model, expected_locations = INVALID[name]

    with pytest.raises(ValidationError) as caught:
        model.model_validate(_load(name))

    assert {tuple(error["loc"]) for error in caught.value.errors()} == expected_locations


def test_every_copied_example_is_covered() -> None:
    covered = {c.file for c in CASES} | set(INVALID) | set(ENVELOPES)

    assert sorted(p.name for p in CORPUS.glob("*.json")) == sorted(covered)


@needs_shared
def test_copied_examples_are_identical_to_the_spec() -> None:
    for copy in CORPUS.iterdir():
        if copy.suffix == ".json":
            assert copy.read_bytes() == (SPEC_EXAMPLES / copy.name).read_bytes(), copy.name
        else:
            assert copy.name == "copyright.asciidoc"
            assert copy.read_bytes() == (SPEC_EXAMPLES.parent / copy.name).read_bytes()


@needs_shared
def test_every_functional_module_example_of_the_spec_is_copied() -> None:
    # Credentials and Versions examples belong to other modules' tests.
    skipped = ("credentials_", "version", "transport_and_format_version")
    wanted = {p.name for p in SPEC_EXAMPLES.glob("*.json") if not p.name.startswith(skipped)}

    assert wanted == {p.name for p in CORPUS.glob("*.json")}
