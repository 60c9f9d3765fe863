"""Property-based tests of the OCPI 2.2.1 wire models' parsers (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ocpikit.protocol.v221.cdrs import CdrToken
from ocpikit.protocol.v221.common import DisplayText, Price
from ocpikit.protocol.v221.hubclientinfo import ClientInfo

CONTROL = st.sampled_from([chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]])
PRINTABLE_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# Printable Unicode: no C0/C1 controls and no surrogates (which JSON text cannot carry).
PRINTABLE = st.characters(blacklist_categories=["Cc", "Cs"])

TOKEN = {"country_code": "DE", "party_id": "TNM", "type": "RFID", "contract_id": "C1"}


@given(
    before=st.text(PRINTABLE, max_size=200), control=CONTROL, after=st.text(PRINTABLE, max_size=200)
)
def test_string_with_any_control_character_is_rejected(
    before: str, control: str, after: str
) -> None:
    try:
        DisplayText(language="en", text=before + control + after)
    except ValidationError as error:
        assert [e["loc"] for e in error.errors()] == [("text",)]
    else:  # pragma: no cover - the property failed
        raise AssertionError("a control character was accepted in string(512)")


@given(text=st.text(PRINTABLE, max_size=512))
def test_printable_string_within_its_length_round_trips(text: str) -> None:
    model = DisplayText(language="en", text=text)

    assert DisplayText.model_validate_json(model.to_json_bytes()) == model


@given(uid=st.text(PRINTABLE_ASCII, min_size=37, max_size=80))
def test_cistring_over_its_length_is_rejected(uid: str) -> None:
    try:
        CdrToken.model_validate({**TOKEN, "uid": uid})
    except ValidationError as error:
        assert [e["loc"] for e in error.errors()] == [("uid",)]
    else:  # pragma: no cover - the property failed
        raise AssertionError("a CiString(36) longer than 36 characters was accepted")


@given(uid=st.text(PRINTABLE_ASCII, max_size=36))
def test_printable_ascii_cistring_within_its_length_is_accepted(uid: str) -> None:
    assert CdrToken.model_validate({**TOKEN, "uid": uid}).uid == uid


@given(
    uid=st.text(PRINTABLE_ASCII, max_size=20).flatmap(
        lambda head: st.tuples(
            st.just(head),
            st.characters(blacklist_categories=["Cs"]).filter(lambda c: not 0x20 <= ord(c) <= 0x7E),
        )
    )
)
def test_cistring_with_a_non_printable_ascii_character_is_rejected(uid: tuple[str, str]) -> None:
    head, bad = uid
    try:
        CdrToken.model_validate({**TOKEN, "uid": head + bad})
    except ValidationError as error:
        assert [e["loc"] for e in error.errors()] == [("uid",)]
    else:  # pragma: no cover - the property failed
        raise AssertionError(f"{bad!r} was accepted in a CiString")


@given(
    excl=st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False),
    incl=st.none() | st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
)
def test_price_round_trips_through_json_exactly(excl: Decimal, incl: Decimal | None) -> None:
    price = Price(excl_vat=excl, incl_vat=incl)

    again = Price.model_validate_json(price.to_json_bytes())

    assert again.excl_vat == excl
    assert again.incl_vat == incl
    assert ("incl_vat" in price.to_wire()) is (incl is not None)


@given(
    moment=st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2999, 12, 31),
        timezones=st.just(UTC),
    )
)
def test_datetime_round_trips_to_the_millisecond(moment: datetime) -> None:
    info: dict[str, Any] = {
        "party_id": "ABC",
        "country_code": "NL",
        "role": "CPO",
        "status": "CONNECTED",
        "last_updated": moment,
    }

    wire = ClientInfo.model_validate(info).to_wire()
    again = ClientInfo.model_validate(wire)

    assert wire["last_updated"].endswith("Z")
    assert again.last_updated == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
