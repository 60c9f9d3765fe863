"""Walking a peer's paginated list, whatever its ``Link`` header looks like.

``transport_and_format.asciidoc §Pagination``: a client follows ``Link: <url>; rel="next"``
until it is absent (TF-52, TF-54). Real servers get it wrong, so :class:`PageCursor` decides
after each page which URL comes next, and falls back to ``offset``/``limit`` of its own
(stopping on ``X-Total-Count``, or on an empty page when the count is absent) when:

- the ``Link`` is missing although ``X-Total-Count`` says more objects follow;
- it points to another host (our token is never sent anywhere but the peer's endpoint);
- it repeats a URL already fetched, or does not move ``offset`` forward (a loop);
- it jumps further than the objects received (a server returning fewer objects than its
  ``limit`` but linking to ``offset + limit`` would make us miss objects);
- fetching it fails with an answer from the server (extrawest-ocpi formats Python enums and
  unset filters into its Link: ``.../VersionNumber.v_2_2_1/...?date_from=None``): that page
  is fetched again by offset/limit (:meth:`PageCursor.link_failed`).

A relative ``Link`` is resolved against the URL of the page. When ``X-Total-Count`` shrinks
while crawling, the next page starts that many objects earlier (the spec's NOTE advises
``offset - 1``); objects seen twice are harmless to a client that stores by key.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["PageCursor", "parse_int_header", "parse_next_link"]

log = logging.getLogger("ocpikit.client")

_LINK = re.compile(r"<([^>]*)>([^,]*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;,]+))""", re.IGNORECASE)


def parse_next_link(header: str | None) -> str | None:
    """The URL of the ``rel="next"`` link of a ``Link`` header, if any."""
    if not header:
        return None
    for match in _LINK.finditer(header):
        for rel in _REL.finditer(match.group(2)):
            values = next(v for v in rel.groups() if v is not None)
            if "next" in values.lower().split():
                return match.group(1).strip() or None
    return None


def parse_int_header(value: str | None) -> int | None:
    """A non-negative integer header (``X-Total-Count``, ``X-Limit``), None when unusable."""
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _offset_of(url: httpx.URL) -> int | None:
    return parse_int_header(url.params.get("offset"))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


@dataclass
class PageCursor:
    """Which page to fetch next (one cursor per list crawl; no I/O).

    Attributes:
        endpoint: the list URL (the peer's Sender endpoint).
        filters: query parameters every page repeats (``date_from``, ``date_to``).
        limit: the page size asked for, or None for the server's default.
        max_pages: a last guard against a server that never ends a crawl.
    """

    endpoint: str
    filters: dict[str, str] = field(default_factory=dict)
    limit: int | None = None
    max_pages: int = 100_000
    offset: int = 0
    pages: int = 0
    total: int | None = None
    quirks: list[str] = field(default_factory=list)
    from_link: bool = False
    _expected: int = 0
    _visited: set[str] = field(default_factory=set)
    _previous_ids: tuple[Any, ...] | None = None

    def first(self) -> httpx.URL:
        return self._own_url(0)

    def _own_url(self, offset: int) -> httpx.URL:
        params: dict[str, str] = dict(self.filters)
        if offset:
            params["offset"] = str(offset)
        if self.limit is not None:
            params["limit"] = str(self.limit)
        return httpx.URL(self.endpoint).copy_merge_params(params)

    def _quirk(self, message: str) -> None:
        if message not in self.quirks:
            self.quirks.append(message)
            log.warning("%s: %s", self.endpoint, message)

    def _link_problem(self, target: httpx.URL, expected: int) -> str | None:
        if _origin(target) != _origin(httpx.URL(self.endpoint)):
            return f"its Link points to another host ({target.host}); using offset/limit"
        if str(target) in self._visited:
            return "its Link repeats a page already fetched; using offset/limit"
        link_offset = _offset_of(target)
        if link_offset is None:
            return None
        if link_offset <= self.offset and expected > self.offset:
            return f"its Link does not move forward (offset={link_offset}); using offset/limit"
        if link_offset > expected:
            return (
                f"its Link skips objects (offset={link_offset} after {expected}); "
                "using offset/limit"
            )
        return None

    def advance(
        self,
        fetched: httpx.URL,
        *,
        received: int,
        link: str | None,
        total: int | None,
        ids: tuple[Any, ...] = (),
    ) -> httpx.URL | None:
        """The next page's URL after one page of ``received`` objects, or None when done."""
        self._visited.add(str(fetched))
        self.pages += 1
        expected = self.offset + received
        self._expected, self.from_link = expected, False
        shrink = 0
        if total is not None and self.total is not None and total < self.total:
            shrink = self.total - total
        self.total = total
        if self.pages >= self.max_pages:
            self._quirk(f"the crawl stopped after {self.pages} pages")
            return None
        if received and ids and ids == self._previous_ids:
            self._quirk("it returned the same page twice; stopping")
            return None
        self._previous_ids = ids if ids else None
        if link is not None:
            target = fetched.join(link)
            if not link.lower().startswith(("http://", "https://")):
                self._quirk("its Link is a relative URL; resolved against the page URL")
            problem = self._link_problem(target, expected)
            more = received > 0 or (total is not None and expected < total)
            if problem is None and not shrink and more:
                self.offset = _offset_of(target) or expected
                self.from_link = True
                return target
            if problem is not None:
                self._quirk(problem)
        elif total is not None and expected < total and received:
            self._quirk("it sent no Link although X-Total-Count says more follow; using offset")
        return self._fallback(expected, received, total, shrink)

    def link_failed(self, failed: httpx.URL, reason: str) -> httpx.URL | None:
        """After fetching the page a ``Link`` pointed to failed: the same page by offset/limit.

        Returns None when ``failed`` did not come from a Link (the error stands).
        """
        if not self.from_link:
            return None
        self.from_link = False
        self._visited.add(str(failed))
        self._quirk(f"following its Link failed ({reason}); using offset/limit")
        url = self._own_url(self._expected)
        if str(url) in self._visited:
            return None
        self.offset = self._expected
        return url

    def _fallback(
        self, expected: int, received: int, total: int | None, shrink: int
    ) -> httpx.URL | None:
        if shrink:
            # TF-54: objects moved out of the list; those after them moved back by ``shrink``
            # and some were never seen: fetch this page again from that much earlier. The
            # list changed, so URLs fetched before now give other pages.
            target = max(0, self.offset - shrink)
            self._visited.clear()
        else:
            if not received or (total is not None and expected >= total):
                return None
            target = expected
        url = self._own_url(target)
        if not shrink and str(url) in self._visited:
            self._quirk("offset/limit pagination repeats a page; stopping")
            return None
        self.offset = target
        return url
