"""Every module and part of the 2.1.1 mappings against the corpora.

(a) realistic domain objects map to valid 2.1.1 objects; (b) every 2.1.1 example and fixture
maps to a valid domain object (PATCH bodies to a valid domain PATCH); (c) a trip domain ->
2.1.1 -> domain keeps every field 2.1.1 can carry (:mod:`.expect` says which).
"""

from __future__ import annotations

from typing import Any

import pytest

from ocpikit.mappings import MapContext, MappingError
from ocpikit.mappings.v211 import MAPPINGS

from ..protocol.v221_support import normalise
from . import expect
from .support import Kind, domain_corpus, merged_patch, wire_corpus, wire_patch_corpus

# Unpublished Locations have no 2.1.1 form (test_unpublished_location_has_no_2_1_1_form).
DOMAIN = [
    d
    for d in domain_corpus()
    if not (d[1].module == "locations" and d[1].part == "location" and d[2].get("publish") is False)
]
WIRE = wire_corpus()
WIRE_PATCHES = wire_patch_corpus()
INBOUND = MapContext(country_code="BE", party_id="BEC", peer_country_code="NL", peer_party_id="TNM")


def _out_options(kind: Kind) -> dict[str, Any]:
    return kind.options if kind.module == "versions" else {}


@pytest.mark.parametrize(("name", "kind", "domain", "ctx"), DOMAIN, ids=[d[0] for d in DOMAIN])
def test_domain_object_maps_to_a_valid_2_1_1_object(
    name: str, kind: Kind, domain: dict[str, Any], ctx: MapContext
) -> None:
    kind.domain.model_validate(domain)  # the corpus itself is valid 2.2.1

    wire = MAPPINGS[kind.module].to_wire(domain, ctx, kind.part, **_out_options(kind))

    kind.wire.model_validate(wire)


@pytest.mark.parametrize(("name", "kind", "wire"), WIRE, ids=[w[0] for w in WIRE])
def test_2_1_1_object_maps_to_a_valid_domain_object(
    name: str, kind: Kind, wire: dict[str, Any]
) -> None:
    domain = MAPPINGS[kind.module].to_domain(wire, INBOUND, kind.part, **kind.options)

    kind.domain.model_validate(domain)


@pytest.mark.parametrize(("name", "kind", "wire"), WIRE_PATCHES, ids=[w[0] for w in WIRE_PATCHES])
def test_2_1_1_patch_maps_to_a_valid_domain_patch(
    name: str, kind: Kind, wire: dict[str, Any]
) -> None:
    patch = MAPPINGS[kind.module].patch_to_domain(wire, INBOUND, kind.part)

    assert not ({"country_code", "party_id"} & set(patch)), "a PATCH does not gain an owner"
    kind.domain.model_validate(merged_patch(kind, patch))


@pytest.mark.parametrize(("name", "kind", "domain", "ctx"), DOMAIN, ids=[d[0] for d in DOMAIN])
def test_trip_through_2_1_1_keeps_what_2_1_1_carries(
    name: str, kind: Kind, domain: dict[str, Any], ctx: MapContext
) -> None:
    mapping = MAPPINGS[kind.module]
    wire = mapping.to_wire(domain, ctx, kind.part, **_out_options(kind))
    options = dict(kind.options)
    if kind.part == "authorization_info":
        options["token"] = domain["token"]

    back = mapping.to_domain(wire, ctx, kind.part, **options)

    expected = expect.carried(kind, domain, ctx.country_code, ctx.party_id)
    assert normalise(back) == normalise(expected)


def test_unpublished_location_has_no_2_1_1_form() -> None:
    """2.1.1 has no publish flag a receiver could honour (LOC-07): never sent."""
    domain = {"id": "L1", "publish": False}
    with pytest.raises(MappingError, match="unpublished"):
        MAPPINGS["locations"].to_wire(domain, MapContext("NL", "CPO"), "location")
