"""PageCursor without I/O: every quirky server still yields every object, and crawls end."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpikit.client.paging import PageCursor, parse_int_header, parse_next_link
from ocpikit.client.retry import RetryPolicy, retry_after_seconds
from tests.client.scripted_peer import LINKS, LIST_PATH

BASE = "http://peer.test"


def simulate(
    n: int,
    *,
    cap: int,
    link: str,
    total_header: bool,
    page_size: int | None,
    shrink_at: int | None = None,
) -> tuple[list[int], int]:
    """Crawl an in-memory list of n objects; returns the ids received and the page count."""
    items = list(range(n))
    cursor = PageCursor(f"{BASE}{LIST_PATH}", limit=page_size)
    url: httpx.URL | None = cursor.first()
    seen: list[int] = []
    requests = 0
    while url is not None:
        requests += 1
        assert requests < 10 * (n + 5), "the crawl does not end"
        if shrink_at is not None and requests == shrink_at and items:
            items.pop(0)  # an object leaves the list while crawling (TF-54)
        offset = int(url.params.get("offset", 0))
        limit = min(int(url.params.get("limit", cap)), cap)
        page = items[offset : offset + limit]
        seen += page
        target = LINKS[link](f"{BASE}{LIST_PATH}", offset, len(page), limit, len(items))
        url = cursor.advance(
            url,
            received=len(page),
            link=target,
            total=len(items) if total_header else None,
            ids=tuple(page),
        )
    return seen, requests


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 60),
    cap=st.integers(1, 20),
    link=st.sampled_from(sorted(LINKS)),
    total_header=st.booleans(),
    page_size=st.one_of(st.none(), st.integers(1, 25)),
)
def test_every_object_is_seen_whatever_the_pagination_quirk(
    n: int, cap: int, link: str, total_header: bool, page_size: int | None
):
    seen, _ = simulate(n, cap=cap, link=link, total_header=total_header, page_size=page_size)
    assert set(seen) == set(range(n))


@settings(max_examples=200, deadline=None)
@given(n=st.integers(5, 40), cap=st.integers(1, 10), shrink_at=st.integers(2, 6))
def test_a_shrinking_total_steps_back_so_nothing_is_missed(n: int, cap: int, shrink_at: int):
    seen, _ = simulate(
        n, cap=cap, link="good", total_header=True, page_size=cap, shrink_at=shrink_at
    )
    # Object 0 left the list; every other object is still seen.
    assert set(range(1, n)) <= set(seen)


def test_good_links_cost_no_extra_request():
    _, requests = simulate(10, cap=5, link="good", total_header=True, page_size=5)
    assert requests == 2


def test_parse_next_link_variants():
    assert parse_next_link('<https://a/x?offset=2>; rel="next"') == "https://a/x?offset=2"
    assert parse_next_link("<https://a/x?offset=2>; rel=next") == "https://a/x?offset=2"
    assert parse_next_link('<https://a/p>; rel="prev", <https://a/n>; rel="next"') == "https://a/n"
    assert parse_next_link('<https://a/p>; rel="prev"') is None
    assert parse_next_link("garbage") is None
    assert parse_next_link(None) is None


def test_parse_int_header():
    assert parse_int_header("12") == 12
    assert parse_int_header(" 3 ") == 3
    assert parse_int_header("-1") is None
    assert parse_int_header("many") is None
    assert parse_int_header(None) is None


def test_retry_after_and_backoff():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None
    policy = RetryPolicy(attempts=4, base_delay=1.0, max_delay=5.0)
    assert all(0 <= policy.backoff(a) <= min(5.0, 2 ** (a - 1)) for a in range(1, 8))
    too_long = httpx.Response(429, headers={"Retry-After": "60"})
    assert policy.delay_for_status(too_long, "GET", 1) is None
    assert policy.delay_for_status(httpx.Response(503), "POST", 1) is None
    assert policy.delay_for_status(httpx.Response(503), "GET", 1) is not None
    assert policy.delay_for_status(httpx.Response(503), "GET", 4) is None
    assert policy.delay_for_status(httpx.Response(400), "GET", 1) is None
    assert policy.delay_for_error(httpx.ConnectError("x"), "POST", 1) is not None
    assert policy.delay_for_error(httpx.ReadTimeout("x"), "POST", 1) is None
