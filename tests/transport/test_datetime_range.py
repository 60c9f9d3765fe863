"""DateTimes outside years 1000..9999, unpadded or not strings, on OCPI endpoints.

They are a 2001 (HTTP 200) naming the field, and nothing is stored; what is accepted is
served back with a four-digit year. (The operator API: ``tests/operator/test_bad_input.py``.)
"""

from __future__ import annotations

from typing import Any

import pytest

from ocpikit.storage.objects import ObjectKey, ObjectStore
from tests import factories
from tests.support import Pair, RunningNode

# Every test runs in each version (``vpair``): each has its own wire models.


def receiver(pair: Pair) -> str:
    return pair.emsp_url("locations", "RECEIVER")


def sender(pair: Pair) -> str:
    return pair.cpo_url("locations", "SENDER")


BAD: list[Any] = [
    "0999-07-17T17:46:52Z",
    "0001-01-01T00:00:00Z",
    "999-07-17T17:46:52Z",
    "2026-1-01T00:00:00Z",
    "2026-01-01T00:00:0012Z",
    1767225600,
]
# 2.1.1 shares the DateTime type (ocpikit.types): its runs check that its wire models use it,
# on one value out of the range and one malformed, not every value again.
VERSIONED_BAD = [
    *[("2.2.1", value) for value in BAD],
    *[("2.1.1", value) for value in ("0999-07-17T17:46:52Z", "2026-1-01T00:00:00Z")],
]


async def _stored(node: RunningNode, lid: str) -> dict | None:
    async with node.db.connect() as conn:
        obj = await ObjectStore(conn).get(ObjectKey("locations", "NL", "CPO", lid))
    return obj.parsed() if obj else None


@pytest.mark.parametrize(("profile", "value"), VERSIONED_BAD, indirect=["profile"])
async def test_ocpi_put_with_a_bad_datetime_is_2001_and_stores_nothing(vpair: Pair, value: Any):
    loc = vpair.wire("locations", factories.location("L1"))
    loc["evses"][0]["last_updated"] = value
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/L1", json=loc, headers=vpair.emsp_headers()
    )
    assert r.status_code == 200, r.text
    assert r.json()["status_code"] == 2001
    assert "evses.0.last_updated" in r.json()["status_message"]
    assert await _stored(vpair.emsp, "L1") is None


@pytest.mark.parametrize(("profile", "value"), VERSIONED_BAD, indirect=["profile"])
async def test_ocpi_patch_with_a_bad_datetime_is_2001_and_changes_nothing(vpair: Pair, value: Any):
    url = f"{receiver(vpair)}/NL/CPO/L1"
    loc = vpair.wire("locations", factories.location("L1"))
    r = await vpair.emsp.client.put(url, json=loc, headers=vpair.emsp_headers())
    assert r.json()["status_code"] == 1000
    before = await _stored(vpair.emsp, "L1")
    patch = {"status": "CHARGING", "last_updated": value}
    r = await vpair.emsp.client.patch(f"{url}/L1-1", json=patch, headers=vpair.emsp_headers())
    assert r.status_code == 200, r.text
    assert r.json()["status_code"] == 2001
    assert "last_updated" in r.json()["status_message"]
    assert await _stored(vpair.emsp, "L1") == before


@pytest.mark.parametrize(
    ("sent", "served"),
    [
        ("1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.9999Z", "9999-12-31T23:59:59.999Z"),
    ],
)
async def test_the_ends_of_the_range_are_stored_and_served_with_four_digit_years(
    vpair: Pair, sent: str, served: str
):
    url = f"{receiver(vpair)}/NL/CPO/L1"
    loc = vpair.wire("locations", factories.location("L1", last_updated=sent))
    r = await vpair.emsp.client.put(url, json=loc, headers=vpair.emsp_headers())
    assert r.json()["status_code"] == 1000, r.text
    r = await vpair.emsp.client.get(url, headers=vpair.emsp_headers())
    assert r.json()["data"]["last_updated"] == served
    assert r.json()["data"]["evses"][0]["last_updated"] == served


@pytest.mark.parametrize(
    ("profile", "value"),
    [
        ("2.2.1", "0999-12-31T00:00:00Z"),
        ("2.2.1", "999-12-31T00:00:00Z"),
        ("2.1.1", "999-12-31T00:00:00Z"),
    ],
    indirect=["profile"],
)
async def test_a_date_filter_out_of_range_is_2001(vpair: Pair, value: str):
    r = await vpair.cpo.client.get(
        f"{sender(vpair)}?date_from={value}", headers=vpair.cpo_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001
    assert "date_from" in r.json()["status_message"]
