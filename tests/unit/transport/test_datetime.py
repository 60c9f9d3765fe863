from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpikit.types import format_datetime, parse_datetime


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


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)))
def test_format_then_parse_round_trips_to_the_millisecond(naive: datetime):
    value = naive.replace(tzinfo=UTC)
    again = parse_datetime(format_datetime(value))
    assert abs(again - value) < timedelta(milliseconds=1)
    assert format_datetime(value).endswith("Z")
