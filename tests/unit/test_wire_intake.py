"""``ocpikit.wire.intake``: a received PATCH is validated with the version's PATCH model."""

from __future__ import annotations

import pytest

from ocpikit.errors import InvalidParameters
from ocpikit.mappings.context import MapContext
from ocpikit.versions import V211
from ocpikit.wire import intake

CTX = MapContext("NL", "CPO")


def test_a_2_1_1_tariff_patch_is_validated_as_a_patch_not_as_a_whole_tariff():
    # OCPI 2.1.1 mod_tariffs.md §3.2.3: the eMSP's Tariffs interface takes a PATCH.
    domain = intake(V211, "tariffs", {"currency": "USD"}, CTX, patch=True)
    assert domain["currency"] == "USD"
    assert "last_updated" in domain  # stamped on receipt: 2.1.1 does not require it


def test_a_bad_2_1_1_tariff_patch_is_2001_naming_the_field():
    with pytest.raises(InvalidParameters, match="currency"):
        intake(V211, "tariffs", {"currency": "EURO"}, CTX, patch=True)
