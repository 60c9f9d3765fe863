from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from ocpikit.errors import InvalidParameters
from ocpikit.transport.pagination import page_headers, parse_page_request


def request(query: str, path: str = "/ocpi/2.2.1/sender/locations") -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query.encode(),
            "headers": [],
            "scheme": "http",
            "server": ("internal", 80),
        }
    )


def test_limit_is_capped_at_the_server_maximum_and_reported_in_x_limit():
    req = request("limit=2000")
    page = parse_page_request(req, max_limit=100)
    assert page.limit == 100
    headers = page_headers(req, page, total=250, returned=100, base_url="https://n.example")
    assert headers["X-Limit"] == "100"
    assert headers["X-Total-Count"] == "250"
    assert headers["Link"] == (
        '<https://n.example/ocpi/2.2.1/sender/locations?offset=100&limit=100>; rel="next"'
    )


def test_next_link_repeats_every_filter():
    req = request("date_from=2019-01-01T00:00:00Z&date_to=2020-01-01T00:00:00Z&limit=10&offset=5")
    page = parse_page_request(req, max_limit=1000)
    headers = page_headers(req, page, total=100, returned=10, base_url="http://x")
    url = headers["Link"][1 : headers["Link"].index(">")]
    query = parse_qs(urlparse(url).query)
    assert query == {
        "date_from": ["2019-01-01T00:00:00Z"],
        "date_to": ["2020-01-01T00:00:00Z"],
        "offset": ["15"],
        "limit": ["10"],
    }


def test_last_page_has_no_link():
    req = request("offset=90&limit=10")
    page = parse_page_request(req, max_limit=1000)
    assert "Link" not in page_headers(req, page, total=100, returned=10, base_url="http://x")


@pytest.mark.parametrize(
    "query", ["offset=-1", "limit=abc", "date_from=yesterday", "date_to=2019-01-01T00:00:00+01:00"]
)
def test_malformed_parameters_are_2001(query: str):
    with pytest.raises(InvalidParameters):
        parse_page_request(request(query), max_limit=1000)


@pytest.mark.parametrize("offset", ["2147483648", "9" * 40])
def test_an_offset_past_any_list_is_capped_to_fit_the_database(offset: str):
    page = parse_page_request(request(f"offset={offset}"), max_limit=10)
    assert page.offset == 2**31 - 1  # an empty page, as any offset past the end


def test_sessions_require_date_from():
    with pytest.raises(InvalidParameters, match="date_from"):
        parse_page_request(request(""), max_limit=10, require_date_from=True)


@given(total=st.integers(0, 500), limit=st.integers(1, 60), cap=st.integers(1, 50))
def test_following_links_visits_every_object_exactly_once(total: int, limit: int, cap: int):
    seen: list[int] = []
    query = f"limit={limit}"
    for _ in range(total + 2):
        req = request(query)
        page = parse_page_request(req, max_limit=cap)
        batch = list(range(total))[page.offset : page.offset + page.limit]
        seen += batch
        headers = page_headers(req, page, total=total, returned=len(batch), base_url="http://x")
        if "Link" not in headers:
            break
        query = urlparse(headers["Link"][1 : headers["Link"].index(">")]).query
    assert seen == list(range(total))
