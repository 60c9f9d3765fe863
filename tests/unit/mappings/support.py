"""Corpora and helpers for the 2.1.1 mapping tests.

Domain (2.2.1) objects come from ``tests/factories.py`` and the 2.2.1 spec examples under
``tests/data/spec_examples/2.2.1``; 2.1.1 objects from the 2.1.1 corpus of
``tests/unit/protocol_v211/corpus.py`` (spec text and ChargeMap).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocpikit.mappings import MapContext
from ocpikit.protocol.v211 import cdrs as w_cdrs
from ocpikit.protocol.v211 import credentials as w_credentials
from ocpikit.protocol.v211 import locations as w_locations
from ocpikit.protocol.v211 import sessions as w_sessions
from ocpikit.protocol.v211 import tariffs as w_tariffs
from ocpikit.protocol.v211 import tokens as w_tokens
from ocpikit.protocol.v211 import versions as w_versions
from ocpikit.protocol.v211.common import OcpiModel as WireModel
from ocpikit.protocol.v221 import cdrs as d_cdrs
from ocpikit.protocol.v221 import credentials as d_credentials
from ocpikit.protocol.v221 import locations as d_locations
from ocpikit.protocol.v221 import sessions as d_sessions
from ocpikit.protocol.v221 import tariffs as d_tariffs
from ocpikit.protocol.v221 import tokens as d_tokens
from ocpikit.protocol.v221 import versions as d_versions
from ocpikit.protocol.v221.common import OcpiModel as DomainModel

from ... import factories
from ..protocol_v211.corpus import chargemap_cases, spec_cases

SPEC_221 = Path(__file__).resolve().parents[2] / "data" / "spec_examples" / "2.2.1"
T0 = "2026-01-01T00:00:00Z"


def spec_221(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPEC_221 / name).read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Kind:
    """One (module, part) with its models in both versions."""

    module: str
    part: str
    domain: type[DomainModel]
    wire: type[WireModel]
    # For PATCH-only wire models: the full domain object a mapped PATCH is merged into.
    patch_of: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


LOCATION = Kind("locations", "location", d_locations.Location, w_locations.Location)
EVSE = Kind("locations", "evse", d_locations.EVSE, w_locations.EVSE)
CONNECTOR = Kind("locations", "connector", d_locations.Connector, w_locations.Connector)
SESSION = Kind("sessions", "session", d_sessions.Session, w_sessions.Session)
CDR = Kind("cdrs", "cdr", d_cdrs.CDR, w_cdrs.CDR)
TARIFF = Kind("tariffs", "tariff", d_tariffs.Tariff, w_tariffs.Tariff)
TOKEN = Kind("tokens", "token", d_tokens.Token, w_tokens.Token)
AUTHORIZATION = Kind(
    "tokens",
    "authorization_info",
    d_tokens.AuthorizationInfo,
    w_tokens.AuthorizationInfo,
    options={"token": factories.token()},
)
REFERENCES = Kind(
    "tokens", "location_references", d_tokens.LocationReferences, w_tokens.LocationReferences
)
CREDENTIALS = Kind(
    "credentials",
    "credentials",
    d_credentials.Credentials,
    w_credentials.Credentials,
    options={"roles": ("CPO",)},
)
VERSION_DETAILS = Kind(
    "versions",
    "version_details",
    d_versions.VersionDetails,
    w_versions.VersionDetails,
    options={"roles": ("CPO",)},
)
VERSION = Kind("versions", "version", d_versions.Version, w_versions.Version)

PATCHES = {
    w_locations.LocationPatch: (LOCATION, "location"),
    w_locations.EvsePatch: (EVSE, "evse"),
    w_locations.ConnectorPatch: (CONNECTOR, "connector"),
    w_sessions.SessionPatch: (SESSION, "session"),
    w_tariffs.TariffPatch: (TARIFF, "tariff"),
    w_tokens.TokenPatch: (TOKEN, "token"),
}
KINDS = {
    k.wire: k
    for k in (
        LOCATION,
        EVSE,
        CONNECTOR,
        SESSION,
        CDR,
        TARIFF,
        TOKEN,
        AUTHORIZATION,
        REFERENCES,
        CREDENTIALS,
        VERSION_DETAILS,
        VERSION,
    )
}


def wire_corpus() -> list[tuple[str, Kind, dict[str, Any]]]:
    """Every complete 2.1.1 object of the corpus with a mapping part: (name, kind, object)."""
    out = []
    for case in spec_cases() + chargemap_cases():
        kind = KINDS.get(case.model)
        if kind is None:
            continue
        for i, obj in enumerate(case.objects()):
            out.append((f"{case.name}[{i}]", kind, obj))
    return out


def wire_patch_corpus() -> list[tuple[str, Kind, dict[str, Any]]]:
    """Every 2.1.1 PATCH body of the corpus."""
    out = []
    for case in spec_cases() + chargemap_cases():
        if case.model in PATCHES:
            kind, _ = PATCHES[case.model]
            for i, obj in enumerate(case.objects()):
                out.append((f"{case.name}[{i}]", kind, obj))
    return out


# --- domain objects and their contexts ---------------------------------------------------------


def _lookup(objects: list[dict[str, Any]], *keys: str) -> Any:
    def find(key: str) -> dict[str, Any] | None:
        for obj in objects:
            if any(obj.get(k) == key for k in keys):
                return copy.deepcopy(obj)
        return None

    return find


def context_for(
    domain: dict[str, Any], locations: list[dict[str, Any]], tokens: list[dict[str, Any]]
) -> MapContext:
    """Our party owns ``domain``; ``ctx.location``/``ctx.token`` find the given objects."""
    return MapContext(
        country_code=domain.get("country_code", "NL"),
        party_id=domain.get("party_id", "CPO"),
        peer_country_code="DE",
        peer_party_id="MSP",
        location=_lookup(locations, "id"),
        token=_lookup(tokens, "contract_id", "uid"),
    )


def _spec_locations() -> list[dict[str, Any]]:
    return [spec_221(p.name) for p in sorted(SPEC_221.glob("location_example*.json"))]


def domain_corpus() -> list[tuple[str, Kind, dict[str, Any], MapContext]]:
    """Realistic domain objects of every kind, each with the context to map it out."""
    spec_locations = _spec_locations()
    factory_location = factories.location()
    factory_locations = [factory_location]
    out: list[tuple[str, Kind, dict[str, Any], MapContext]] = []

    def add(name: str, kind: Kind, obj: dict[str, Any], locs: list[dict[str, Any]]) -> None:
        tokens = [obj["cdr_token"]] if "cdr_token" in obj else []
        out.append((name, kind, obj, context_for(obj, locs, tokens)))

    for loc in [*spec_locations, factory_location]:
        add(f"location {loc['id']}", LOCATION, loc, [])
        for evse in loc.get("evses", []):
            add(f"evse {evse['uid']}", EVSE, evse, [])
            for connector in evse["connectors"]:
                add(f"connector {evse['uid']}/{connector['id']}", CONNECTOR, connector, [])
    for name in ("session_example_1_simple_start.json", "session_example_2_short_finished.json"):
        add(name, SESSION, spec_221(name), spec_locations)
    add("factories.session", SESSION, factories.session(), factory_locations)
    add("cdr_example.json", CDR, spec_221("cdr_example.json"), spec_locations)
    add("factories.cdr", CDR, factories.cdr(), factory_locations)
    for path in sorted(SPEC_221.glob("tariff_*.json")):
        if path.name != "tariff_put_example.json":  # no last_updated: invalid in 2.2.1
            add(path.name, TARIFF, spec_221(path.name), [])
    add("factories.tariff", TARIFF, factories.tariff(), [])
    for name in ("token_example_1_app_user.json", "token_example_2_full_rfid.json"):
        add(name, TOKEN, spec_221(name), [])
    add("factories.token", TOKEN, factories.token(), [])
    add(
        "authorization_info",
        AUTHORIZATION,
        {
            "allowed": "ALLOWED",
            "token": factories.token(),
            "location": {"location_id": "LOC1", "evse_uids": ["LOC1-1"]},
            "authorization_reference": "REF1",
            "info": {"language": "en", "text": "Welcome"},
        },
        [],
    )
    add("location_references", REFERENCES, {"location_id": "LOC1", "evse_uids": ["E1"]}, [])
    add("credentials", CREDENTIALS, CREDENTIALS_221, [])
    add("version_details", VERSION_DETAILS, VERSION_DETAILS_221, [])
    add("version", VERSION, {"version": "2.1.1", "url": "https://cpo.example.com/ocpi/2.1.1"}, [])
    return out


CREDENTIALS_221: dict[str, Any] = {
    "token": "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2",
    "url": "https://cpo.example.com/ocpi/versions",
    "roles": [
        {
            "role": "CPO",
            "business_details": {"name": "Example CPO"},
            "party_id": "CPO",
            "country_code": "NL",
        },
        {
            "role": "EMSP",
            "business_details": {"name": "Example eMSP"},
            "party_id": "MSP",
            "country_code": "NL",
        },
    ],
}

VERSION_DETAILS_221: dict[str, Any] = {
    "version": "2.1.1",
    "endpoints": [
        {"identifier": "credentials", "role": "SENDER", "url": "https://n/ocpi/2.1.1/credentials"},
        {"identifier": "locations", "role": "SENDER", "url": "https://n/ocpi/2.1.1/cpo/locations"},
        {
            "identifier": "locations",
            "role": "RECEIVER",
            "url": "https://n/ocpi/2.1.1/emsp/locations",
        },
        {"identifier": "tokens", "role": "SENDER", "url": "https://n/ocpi/2.1.1/emsp/tokens"},
        {"identifier": "tokens", "role": "RECEIVER", "url": "https://n/ocpi/2.1.1/cpo/tokens"},
        {"identifier": "chargingprofiles", "role": "RECEIVER", "url": "https://n/ocpi/cp"},
    ],
}


def merged_patch(kind: Kind, patch: dict[str, Any]) -> dict[str, Any]:
    """A domain PATCH merged into a complete domain object of its kind (for validation)."""
    base = {
        "location": factories.location(),
        "evse": factories.evse(),
        "connector": factories.connector(),
        "session": factories.session(),
        "tariff": factories.tariff(),
        "token": factories.token(),
    }[kind.part]
    return {"last_updated": T0, **base, **patch}
