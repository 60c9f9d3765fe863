"""Who may be shown a Location (LOC-07): publish, publish_allowed_to and a driver's Token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from ocpikit.modules.locations.visibility import DriverToken, may_show, token_matches
from ocpikit.protocol.v221.locations import PublishTokenType

SPEC = Path(__file__).parents[2] / "data" / "spec_examples" / "2.2.1"
FIELDS = ("uid", "type", "visual_number", "issuer", "group_id")
TYPES = ["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]

CI = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=36)
TEXT = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1, max_size=64)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    """Valid PublishTokenType entries (the spec's rules), as stored JSON."""
    entry: dict[str, Any] = {}
    if draw(st.booleans()):
        entry.update(uid=draw(CI), type=draw(st.sampled_from(TYPES)))
    elif draw(st.booleans()):
        entry["type"] = draw(st.sampled_from(TYPES))  # type without uid is allowed
    if draw(st.booleans()):
        entry.update(visual_number=draw(TEXT), issuer=draw(TEXT))
    elif draw(st.booleans()):
        entry["issuer"] = draw(TEXT)
    if draw(st.booleans()) or not {"uid", "visual_number"} & entry.keys():
        entry["group_id"] = draw(CI)
    PublishTokenType.model_validate(entry)  # the generator makes only valid entries
    return entry


@st.composite
def matching(draw: st.DrawFn, entry: dict[str, Any]) -> dict[str, Any]:
    """A driver's token information that matches ``entry``: its fields, CiStrings in any case,
    and anything at all for the fields the entry leaves unset."""
    token: dict[str, Any] = {}
    for name in FIELDS:
        if name in entry:
            value = entry[name]
            if name in ("uid", "group_id") and draw(st.booleans()):
                value = value.swapcase()
            token[name] = value
        elif draw(st.booleans()):
            token[name] = draw(st.sampled_from(TYPES) if name == "type" else CI)
    return token


def driver(**fields: Any) -> DriverToken:
    return DriverToken.model_validate(fields)


@given(st.data())
def test_a_token_with_the_entrys_set_fields_matches(data: st.DataObject) -> None:
    entry = data.draw(entries())
    assert token_matches(entry, driver(**data.draw(matching(entry))))


@given(st.data())
def test_a_different_value_in_any_set_field_does_not_match(data: st.DataObject) -> None:
    entry = data.draw(entries())
    token = data.draw(matching(entry))
    name = data.draw(st.sampled_from(sorted(entry)))
    if name == "type":
        other = data.draw(st.sampled_from([t for t in TYPES if t != entry["type"]]))
    elif name in ("uid", "group_id"):
        other = data.draw(CI)
        assume(other.casefold() != entry[name].casefold())
    else:
        other = data.draw(TEXT)
        assume(other != entry[name])
    assert not token_matches(entry, driver(**{**token, name: other}))


@given(st.data())
def test_a_set_field_the_driver_did_not_give_does_not_match(data: st.DataObject) -> None:
    entry = data.draw(entries())
    token = data.draw(matching(entry))
    name = data.draw(st.sampled_from(sorted(entry)))
    rest = {k: v for k, v in token.items() if k != name}
    assume({"uid", "visual_number", "group_id"} & rest.keys())  # a DriverToken needs one
    assert not token_matches(entry, driver(**rest))


@given(st.data())
def test_visual_number_and_issuer_are_case_sensitive(data: st.DataObject) -> None:
    number, issuer = data.draw(TEXT), data.draw(TEXT)
    entry = {"visual_number": number, "issuer": issuer}
    assume(number.swapcase() != number)
    assert token_matches(entry, driver(visual_number=number, issuer=issuer))
    assert not token_matches(entry, driver(visual_number=number.swapcase(), issuer=issuer))


@given(st.data())
def test_publish_true_is_shown_to_everybody(data: st.DataObject) -> None:
    entry = data.draw(entries())
    token = data.draw(st.none() | st.builds(driver, uid=CI, type=st.sampled_from(TYPES)))
    assert may_show({"publish": True}, token)
    # publish_allowed_to with publish=true is invalid; a tolerant read still shows it.
    assert may_show({"publish": True, "publish_allowed_to": [entry]}, token)


@given(st.data())
def test_publish_false_is_shown_only_to_a_token_matching_one_entry(data: st.DataObject) -> None:
    allowed = data.draw(st.lists(entries(), max_size=4))
    location = {"publish": False, "publish_allowed_to": allowed}
    assert not may_show(location, None)
    token = driver(**data.draw(matching(data.draw(entries()))))
    assert may_show(location, token) == any(token_matches(e, token) for e in allowed)
    if allowed:
        chosen = data.draw(st.sampled_from(allowed))
        assert may_show(location, driver(**data.draw(matching(chosen))))


def test_publish_false_without_publish_allowed_to_is_never_shown() -> None:
    token = driver(uid="A", type="RFID", group_id="G", visual_number="1", issuer="X")
    for location in (
        {"publish": False},
        {"publish": False, "publish_allowed_to": []},
        {"publish": False, "publish_allowed_to": None},
    ):
        assert not may_show(location, token)
        assert not may_show(location, None)


def test_the_spec_examples_uc4_and_uc5() -> None:
    uc4 = json.loads((SPEC / "location_example_uc4_limited_visibility.json").read_text())
    uc5 = json.loads((SPEC / "location_example_uc5_home_charge_point.json").read_text())
    anwb = driver(visual_number="0055375624", issuer="ANWB")
    rfid = driver(uid="12345678905880", type="RFID")
    assert may_show(uc4, anwb) and not may_show(uc5, anwb)
    assert may_show(uc4, rfid)
    assert not may_show(uc4, driver(uid="12345678905880", type="APP_USER"))
    assert not may_show(uc4, driver(uid="12345678905880"))  # the entry sets type too
    assert not may_show(uc4, driver(visual_number="0055375624", issuer="anwb"))
    assert may_show(uc5, driver(visual_number="0123456-99", issuer="MoveMove", uid="X"))
    assert not may_show(uc5, None)


def test_cistrings_match_in_any_case() -> None:
    entry = {"uid": "abc-123", "type": "RFID"}
    assert token_matches(entry, driver(uid="ABC-123", type="RFID"))
    assert token_matches({"group_id": "Depot-7"}, driver(group_id="dEPOT-7", uid="x"))


def test_unset_fields_and_nulls_are_not_compared() -> None:
    entry = {"group_id": "G1", "uid": None, "type": None, "visual_number": None, "issuer": None}
    assert token_matches(entry, driver(group_id="g1"))
    assert token_matches(entry, driver(group_id="G1", uid="anything", type="OTHER"))


@pytest.mark.parametrize(
    "entry",
    [{}, {"type": "RFID"}, {"issuer": "X"}, {"type": "RFID", "issuer": "X", "group_id": None}],
)
def test_an_entry_identifying_no_token_matches_nobody(entry: dict[str, Any]) -> None:
    token = driver(uid="A", type="RFID", visual_number="1", issuer="X", group_id="G")
    assert not token_matches(entry, token)


@pytest.mark.parametrize(
    "entry", [{"uid": 42, "type": "RFID"}, {"group_id": ["G"]}, {"group_id": "G", "type": 1}]
)
def test_stored_values_of_the_wrong_type_do_not_match(entry: dict[str, Any]) -> None:
    assert not token_matches(entry, driver(uid="42", type="RFID", group_id="G"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, None),
        ({"type": "RFID", "issuer": "X"}, None),
        ({"uid": "x" * 37}, "uid"),
        ({"uid": "A", "type": "CARD"}, "type"),
        ({"group_id": "G", "colour": "red"}, "colour"),
    ],
)
def test_a_driver_token_must_identify_a_token(fields: dict[str, Any], field: str | None) -> None:
    with pytest.raises(ValidationError) as error:
        DriverToken.model_validate(fields)
    if field is not None:
        assert field in [str(p) for e in error.value.errors() for p in e["loc"]]
