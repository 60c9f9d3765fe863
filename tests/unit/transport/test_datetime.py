from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from ocpikit.types import MAX_DATETIME, MIN_DATETIME, DateTime, format_datetime, parse_datetime


@pytest.mark.parametrize(
    "text",
    [
        "2015-06-29T20:39:09Z",
        "2015-06-29T20:39:09",
        "2016-12-29T17:45:09.2Z",
        "2016-12-29T17:45:09.2",
        "2018-01-01T01:08:01.123Z",
        "2018-01-01T01:08:01.123",
    ],
)
def test_every_form_of_types_asciidoc_is_accepted_as_utc(text: str):
    value = parse_datetime(text)
    assert value.tzinfo is UTC


@pytest.mark.parametrize(
    "text", ["2015-06-29T20:39:09+00:00", "2015-06-29 20:39:09", "29-06-2015T20:39:09Z", "", "now"]
)
def test_offsets_and_other_formats_are_rejected(text: str):
    with pytest.raises(ValueError):
        parse_datetime(text)


@pytest.mark.parametrize(
    "text",
    [
        "0999-12-31T23:59:59Z",  # before the accepted range
        "0001-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "999-07-17T17:46:52Z",  # unpadded
        "2015-6-29T20:39:09Z",
        "2015-06-29T20:39:9Z",
        "2015-06-29T20:39:0999Z",  # digits after the seconds without a fraction
        "\uff12\uff10\uff11\uff15-06-29T20:39:09Z",  # full-width digits
        "2015-02-30T00:00:00Z",
        "10000-01-01T00:00:00Z",
    ],
)
def test_out_of_range_unpadded_and_impossible_datetimes_are_rejected(text: str):
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_the_accepted_range_is_years_1000_to_9999():
    assert parse_datetime("1000-01-01T00:00:00Z") == MIN_DATETIME
    assert parse_datetime("9999-12-31T23:59:59.999999Z") == MAX_DATETIME


class _Stamped(BaseModel):
    at: DateTime


@pytest.mark.parametrize("value", [1435610349, 1435610349.5, True, None, [], {"year": 2015}])
def test_a_datetime_is_only_a_string_never_a_number(value: object):
    with pytest.raises(ValidationError, match="DateTime must be a string"):
        _Stamped.model_validate({"at": value})


def test_a_datetime_object_outside_the_range_is_rejected_too():
    with pytest.raises(ValidationError, match="between 1000"):
        _Stamped(at=datetime(999, 12, 31, tzinfo=UTC))
    assert _Stamped(at=datetime(1000, 1, 1)).at == MIN_DATETIME  # naive is UTC


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(1000, 1, 1, tzinfo=UTC), "1000-01-01T00:00:00Z"),
        (datetime(999, 7, 17, 17, 46, 52, tzinfo=UTC), "0999-07-17T17:46:52Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (datetime(2016, 12, 29, 17, 45, 9, 200000, tzinfo=UTC), "2016-12-29T17:45:09.200Z"),
        (MAX_DATETIME, "9999-12-31T23:59:59.999Z"),
    ],
)
def test_formatting_always_writes_a_four_digit_year(value: datetime, text: str):
    assert format_datetime(value) == text


def test_a_model_serialises_the_earliest_datetime_with_four_digits():
    stamped = _Stamped.model_validate({"at": "1000-01-01T00:00:00Z"})
    assert stamped.model_dump(mode="json") == {"at": "1000-01-01T00:00:00Z"}
    assert stamped.model_dump_json() == '{"at":"1000-01-01T00:00:00Z"}'


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)))
def test_every_accepted_datetime_round_trips_through_its_text(naive: datetime):
    value = naive.replace(tzinfo=UTC)
    text = format_datetime(value)
    assert len(text.split("-", 1)[0]) == 4
    assert abs(parse_datetime(text) - value) < timedelta(milliseconds=1)


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)))
def test_format_then_parse_round_trips_to_the_millisecond(naive: datetime):
    value = naive.replace(tzinfo=UTC)
    again = parse_datetime(format_datetime(value))
    assert abs(again - value) < timedelta(milliseconds=1)
    assert format_datetime(value).endswith("Z")
