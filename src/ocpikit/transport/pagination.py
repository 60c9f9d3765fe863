"""Paginated lists (``transport_and_format.asciidoc §Pagination``).

Rules (requirements TF-50..TF-53):

- ``date_from`` is inclusive and ``date_to`` exclusive, both on ``last_updated``.
- ``offset`` defaults to 0; ``limit`` is capped by the server maximum, and ``X-Limit``
  always reports that effective value.
- ``X-Total-Count`` counts every object the query matches for this caller, ignoring
  ``offset``/``limit``.
- ``Link: <url>; rel="next"`` is present only when more objects follow, and its URL repeats
  every filter of the request with the next ``offset`` and the effective ``limit``.
- The same URL gives the same objects: lists are ordered by a stable key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from starlette.requests import Request

from ocpikit.errors import InvalidParameters
from ocpikit.types import parse_datetime

__all__ = ["PageRequest", "page_headers", "parse_page_request"]


@dataclass(frozen=True, slots=True)
class PageRequest:
    offset: int
    limit: int
    date_from: datetime | None
    date_to: datetime | None


_MAX_OFFSET = 2**31 - 1


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameters(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise InvalidParameters(f"{name} must not be negative, got {value}")
    return value


def _date(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_datetime(raw)
    except ValueError as exc:
        raise InvalidParameters(f"{name}: {exc}") from None


def parse_page_request(
    request: Request, *, max_limit: int, require_date_from: bool = False
) -> PageRequest:
    """Read ``offset``, ``limit``, ``date_from`` and ``date_to`` from the query.

    Raises:
        InvalidParameters: for malformed values, or a missing ``date_from`` where required.
    """
    # An offset past any list gives the empty page an offset past the end gives; capped so
    # that it fits the databases' integer parameters.
    offset = min(_int(request, "offset", 0), _MAX_OFFSET)
    limit = min(_int(request, "limit", max_limit), max_limit)
    date_from = _date(request, "date_from")
    date_to = _date(request, "date_to")
    if require_date_from and date_from is None:
        raise InvalidParameters("date_from is required for this list")
    return PageRequest(offset=offset, limit=limit, date_from=date_from, date_to=date_to)


def page_headers(
    request: Request, page: PageRequest, *, total: int, returned: int, base_url: str
) -> dict[str, str]:
    """X-Total-Count, X-Limit and, when more objects follow, the ``Link`` to the next page."""
    headers = {"X-Total-Count": str(total), "X-Limit": str(page.limit)}
    next_offset = page.offset + returned
    if returned > 0 and next_offset < total:
        params = [
            (k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit")
        ]
        params += [("offset", str(next_offset)), ("limit", str(page.limit))]
        url = f"{base_url.rstrip('/')}{request.url.path}?{urlencode(params)}"
        headers["Link"] = f'<{url}>; rel="next"'
    return headers
