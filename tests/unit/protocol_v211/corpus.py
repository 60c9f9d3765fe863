"""The OCPI 2.1.1 conformance corpus: the spec text's JSON examples and ChargeMap's payloads.

Spec examples are read from ``shared/ocpi-spec/2.1.1/*.md`` at test time (the 2.1.1 spec has no
example files, and its licence allows no modified copies), so those tests skip without
``shared/``. ChargeMap's payloads (MIT) are copied unmodified under
``tests/data/chargemap-2.1.1`` (see its README) and always run.

Each case names the wire model the JSON is, and how the object sits in the file: bare, in the
``data`` of a response envelope (``"data"``), or as a list there (``"data[]"``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from ocpikit.protocol.v211 import (
    cdrs,
    commands,
    common,
    credentials,
    locations,
    sessions,
    tariffs,
    tokens,
    versions,
)
from ocpikit.protocol.v211.common import OcpiModel

REPO = Path(__file__).resolve().parents[3]
SHARED = (REPO / ".." / "shared").resolve()
SPEC = SHARED / "ocpi-spec" / "2.1.1"
CHARGEMAP = REPO / "tests" / "data" / "chargemap-2.1.1"

needs_spec: pytest.MarkDecorator = pytest.mark.skipif(
    not SPEC.is_dir(), reason=f"shared/ (OCPI 2.1.1 spec text) not found at {SPEC}"
)


@dataclass(frozen=True)
class Case:
    """One JSON document of the corpus and the model it holds."""

    name: str
    model: type[OcpiModel]
    text: str
    where: str = ""  # "", "data" or "data[]"

    def objects(self) -> list[Any]:
        document = json.loads(self.text)
        if self.where == "data":
            return [document["data"]]
        if self.where == "data[]":
            return list(document["data"])
        return [document]


# --- the spec text ------------------------------------------------------------------------------

# (file, index of the ```json block) -> (model, where). A block that starts with "PATCH To URL"
# or "PUT To URL" has that line cut off; a fragment ("energy_mix": {...}) is wrapped in braces
# and its one value taken.
SPEC_BLOCKS: dict[tuple[str, int], tuple[type[OcpiModel], str]] = {
    ("credentials.md", 0): (credentials.Credentials, ""),
    ("mod_locations.md", 0): (locations.EvsePatch, ""),
    ("mod_locations.md", 1): (locations.LocationPatch, ""),
    ("mod_locations.md", 2): (locations.ConnectorPatch, ""),
    ("mod_locations.md", 4): (locations.EvsePatch, ""),
    ("mod_locations.md", 5): (locations.Location, ""),
    ("mod_locations.md", 6): (common.EnergyMix, "fragment"),
    ("mod_locations.md", 7): (common.EnergyMix, "fragment"),
    ("mod_locations.md", 8): (common.EnergyMix, "fragment"),
    ("mod_locations.md", 9): (locations.Hours, "fragment"),
    ("mod_sessions.md", 0): (sessions.SessionPatch, ""),
    ("mod_sessions.md", 1): (sessions.Session, ""),
    ("mod_sessions.md", 2): (sessions.Session, ""),
    ("mod_tariffs.md", 1): (tariffs.TariffPatch, ""),
    ("mod_tariffs.md", 2): (tariffs.Tariff, ""),
    ("mod_tariffs.md", 3): (tariffs.Tariff, ""),
    ("mod_tariffs.md", 4): (tariffs.Tariff, ""),
    ("mod_tariffs.md", 5): (tariffs.Tariff, ""),
    ("mod_tariffs.md", 6): (tariffs.Tariff, ""),
    ("mod_tokens.md", 0): (tokens.Token, ""),
    ("mod_tokens.md", 1): (tokens.TokenPatch, ""),
    ("mod_tokens.md", 2): (tokens.Token, ""),
    ("transport_and_format.md", 0): (versions.Version, "data[]"),
    ("transport_and_format.md", 1): (versions.VersionDetails, "data"),
    ("transport_and_format.md", 2): (tokens.Token, "data"),
    ("transport_and_format.md", 3): (tokens.Token, "data[]"),
    ("version_information_endpoint.md", 0): (versions.Version, "list"),
    ("version_information_endpoint.md", 1): (versions.VersionDetails, ""),
}

# Spec examples that break the spec's own object tables: they must be rejected, naming the
# fields. (file, block) -> error locations.
SPEC_INVALID: dict[tuple[str, int], tuple[type[OcpiModel], set[tuple[str | int, ...]]]] = {
    # "Example: add an EVSE": Connector without power_type, voltage, amperage, last_updated;
    # physical_reference a number; EVSE without last_updated ("floor" is not a field).
    ("mod_locations.md", 3): (
        locations.EVSE,
        {
            ("connectors", 0, "power_type"),
            ("connectors", 0, "voltage"),
            ("connectors", 0, "amperage"),
            ("connectors", 0, "last_updated"),
            ("physical_reference",),
            ("last_updated",),
        },
    ),
    # "Example: New Tariff 2 euro per hour" (PUT): no last_updated.
    ("mod_tariffs.md", 0): (tariffs.Tariff, {("last_updated",)}),
}

# Not JSON as printed: the CDR example has a trailing comma after "price_components" (and a
# price as the string "2.00"). The test removes the comma and checks the rest.
SPEC_TRAILING_COMMA = ("mod_cdrs.md", 0)

# types.md prints its DisplayText example indented instead of in a ```json block.
_BLOCK = re.compile(r"```json\n(.*?)```", re.S)


def spec_block(file: str, index: int) -> str:
    """Return the JSON text of the ``index``-th ```json block of ``file`` (URL line cut off)."""
    block: str = _BLOCK.findall((SPEC / file).read_text(encoding="utf-8"))[index]
    lines = block.strip().splitlines()
    if lines[0].startswith(("PATCH To URL", "PUT To URL")):
        lines = lines[1:]
    text = "\n".join(lines).strip()
    if text.startswith('"'):
        text = "{" + text + "}"
    if SPEC_TRAILING_COMMA == (file, index):
        text = re.sub(r"\}\],\s*\}\]", "}]}]", text)
    return text


def spec_displaytext() -> str:
    """The indented DisplayText example of ``types.md §1.3``."""
    section = (SPEC / "types.md").read_text(encoding="utf-8").split("## 1.3", 1)[1]
    example = section.split("Example:", 1)[1].split("##", 1)[0]
    return "\n".join(line for line in example.splitlines() if line.startswith("    "))


def spec_cases() -> list[Case]:
    """Every valid example of the spec text (empty without ``shared/``)."""
    if not SPEC.is_dir():
        return []
    cases = [Case("types.md#0", common.DisplayText, spec_displaytext())]
    for (file, index), (model, where) in SPEC_BLOCKS.items():
        text = spec_block(file, index)
        if where == "fragment":
            (value,) = json.loads(text).values()
            text, where = json.dumps(value), ""
        if where == "list":
            text, where = json.dumps({"data": json.loads(text)}), "data[]"
        cases.append(Case(f"{file}#{index}", model, text, where))
    cases.append(Case("mod_cdrs.md#0", cdrs.CDR, spec_block(*SPEC_TRAILING_COMMA)))
    return cases


def spec_block_count() -> int:
    """How many ```json blocks the spec text has (to check every one is covered)."""
    return sum(len(_BLOCK.findall(p.read_text(encoding="utf-8"))) for p in SPEC.glob("*.md"))


# --- ChargeMap ----------------------------------------------------------------------------------

_V = "Versions/V2_1_1/"
# Path glob (under tests/data/chargemap-2.1.1) -> (model, where); None: not a valid object.
# The first matching glob wins.
CHARGEMAP_RULES: list[tuple[str, type[OcpiModel] | None, str]] = [
    # Not a 2.1.1 object at all, or not valid: handled by the tests of invalid payloads.
    ("*/invalid/*", None, ""),
    ("*/Invalid/*", None, ""),
    ("*/Tokens/Post/payloads/valid/empty.json", None, ""),
    # Valid for ChargeMap, not for the 2.1.1 text (coordinates without six decimals; a
    # "dimensions" object instead of a list).
    (_V + "Common/Factories/Payloads/EVSE/sample1.json", None, ""),
    (_V + "Common/Models/Payloads/Cdrs/12345.json", None, ""),
    (_V + "Common/Models/Payloads/Sessions/SessionPutPayload.json", None, ""),
    ("Common/Client/Modules/Versions/*", versions.Version, "data[]"),
    ("Common/Factories/Payloads/VersionEndpoint/*", versions.Version, ""),
    (_V + "Client/Cdrs/*", cdrs.CDR, "data[]"),
    (_V + "Client/Credentials/*/RegisterCredentialsRequest/*", credentials.Credentials, ""),
    (_V + "Client/Credentials/*", credentials.Credentials, "data"),
    (_V + "Client/Locations/Get/*", locations.Location, "data"),
    (_V + "Client/Locations/GetListing/payloads/Valid/*", locations.Location, "data[]"),
    (_V + "Client/Locations/GetListing/payloads/PartialValid/*", None, ""),
    (_V + "Client/Tokens/Get/*", tokens.Token, "data"),
    (_V + "Client/Tokens/Patch/*", tokens.TokenPatch, ""),
    (_V + "Client/Tokens/Put/*", tokens.Token, ""),
    (_V + "Client/Versions/*", versions.VersionDetails, "data"),
    (_V + "Common/Factories/Payloads/AdditionalGeoLocation/*", locations.AdditionalGeoLocation, ""),
    (_V + "Common/Factories/Payloads/BusinessDetails/*", common.BusinessDetails, ""),
    (_V + "Common/Factories/Payloads/Cdr/*", cdrs.CDR, ""),
    (_V + "Common/Factories/Payloads/CdrDimension/*", cdrs.CdrDimension, ""),
    (_V + "Common/Factories/Payloads/ChargingPeriod/*", cdrs.ChargingPeriod, ""),
    (_V + "Common/Factories/Payloads/Connector/*", locations.Connector, ""),
    (_V + "Common/Factories/Payloads/Credentials/*", credentials.Credentials, ""),
    (_V + "Common/Factories/Payloads/DisplayText/*", common.DisplayText, ""),
    (_V + "Common/Factories/Payloads/EVSE/*", locations.EVSE, ""),
    (_V + "Common/Factories/Payloads/Endpoint/*", versions.Endpoint, ""),
    (_V + "Common/Factories/Payloads/EnergyMix/*", common.EnergyMix, ""),
    (_V + "Common/Factories/Payloads/EnergySource/*", common.EnergySource, ""),
    (_V + "Common/Factories/Payloads/EnvironmentalImpact/*", common.EnvironmentalImpact, ""),
    (_V + "Common/Factories/Payloads/ExceptionalPeriod/*", locations.ExceptionalPeriod, ""),
    (_V + "Common/Factories/Payloads/GeoLocation/*", common.GeoLocation, ""),
    (_V + "Common/Factories/Payloads/Hours/*", locations.Hours, ""),
    (_V + "Common/Factories/Payloads/Image/*", common.Image, ""),
    (_V + "Common/Factories/Payloads/Location/*", locations.Location, ""),
    (_V + "Common/Factories/Payloads/LocationReferences/*", tokens.LocationReferences, ""),
    (_V + "Common/Factories/Payloads/PartialConnector/*", locations.ConnectorPatch, ""),
    (_V + "Common/Factories/Payloads/PartialEVSE/*", locations.EvsePatch, ""),
    (_V + "Common/Factories/Payloads/PartialLocation/*", locations.LocationPatch, ""),
    (_V + "Common/Factories/Payloads/PartialSession/*", sessions.SessionPatch, ""),
    (_V + "Common/Factories/Payloads/RegularHours/*", locations.RegularHours, ""),
    (_V + "Common/Factories/Payloads/Session/*", sessions.Session, ""),
    (_V + "Common/Factories/Payloads/StatusSchedule/*", locations.StatusSchedule, ""),
    (_V + "Common/Models/Payloads/Cdrs/*", cdrs.CDR, ""),
    (_V + "Common/Models/Payloads/ChargingPeriods/*", cdrs.ChargingPeriod, ""),
    (_V + "Common/Models/Payloads/Location/*", locations.Location, ""),
    (_V + "Common/Models/Payloads/Sessions/SessionPutPayload.json", sessions.Session, ""),
    (_V + "Common/Models/Payloads/Sessions/*", sessions.SessionPatch, ""),
    (_V + "Server/Emsp/Cdrs/*", cdrs.CDR, ""),
    (_V + "Server/Emsp/Credentials/*", credentials.Credentials, ""),
    (_V + "Server/Emsp/Locations/Evses/Connectors/Patch/*", locations.ConnectorPatch, ""),
    (_V + "Server/Emsp/Locations/Evses/Connectors/*", locations.Connector, ""),
    (_V + "Server/Emsp/Locations/Evses/Patch/*", locations.EvsePatch, ""),
    (_V + "Server/Emsp/Locations/Evses/*", locations.EVSE, ""),
    (_V + "Server/Emsp/Locations/Patch/*", locations.LocationPatch, ""),
    (_V + "Server/Emsp/Locations/*", locations.Location, ""),
    (_V + "Server/Emsp/Sessions/Patch/*", sessions.SessionPatch, ""),
    (_V + "Server/Emsp/Sessions/*", sessions.Session, ""),
    (_V + "Server/Emsp/Tokens/Get/*", tokens.Token, "data[]"),
    (_V + "Server/Emsp/Tokens/Post/payloads/responses/*", tokens.AuthorizationInfo, "data"),
    (_V + "Server/Emsp/Tokens/Post/payloads/valid/*", tokens.LocationReferences, ""),
]

_ = commands  # ChargeMap has no Commands payloads; the spec text has none either.


def chargemap_files() -> list[str]:
    """Every JSON payload of the copied corpus, as a path relative to its root."""
    return sorted(str(p.relative_to(CHARGEMAP)) for p in CHARGEMAP.rglob("*.json"))


def chargemap_rule(name: str) -> tuple[type[OcpiModel] | None, str]:
    """The model (None: not a valid object) and placement of one ChargeMap payload."""
    for pattern, model, where in CHARGEMAP_RULES:
        if fnmatch(name, pattern):
            return model, where
    raise LookupError(f"no rule for {name}")


def chargemap_cases() -> list[Case]:
    """Every valid ChargeMap payload with its model."""
    cases = []
    for name in chargemap_files():
        model, where = chargemap_rule(name)
        if model is not None:
            text = (CHARGEMAP / name).read_text(encoding="utf-8")
            cases.append(Case(name, model, text, where))
    return cases
