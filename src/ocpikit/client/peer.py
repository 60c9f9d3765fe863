"""One peer's OCPI API: a pooled HTTP client, retries, routing headers and list crawling.

:class:`PeerClient` is the transport half of :class:`~ocpikit.client.ocpi.OcpiClient`: it
knows the peer's endpoints (from its version details), its token and token encoding, and
which of our parties talks to which of its parties (``OCPI-from-*`` / ``OCPI-to-*``).
Every call goes through :meth:`PeerClient.request`; every list through
:meth:`PeerClient.pages` (see :mod:`ocpikit.client.paging` for the ``Link`` quirks it
tolerates and :mod:`ocpikit.client.tolerant` for invalid objects).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx
import orjson
from pydantic import BaseModel

from ocpikit.catalog import SENDER_ROLE
from ocpikit.client.http import OcpiReply, decode_reply, timed_out, tls_context
from ocpikit.client.paging import PageCursor, parse_int_header, parse_next_link
from ocpikit.client.retry import RetryPolicy
from ocpikit.client.tolerant import Checked, check, identity_of
from ocpikit.errors import PeerError, PeerTimeout
from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.storage.repositories import LocalParty, Peer
from ocpikit.transport.auth import authorization_header
from ocpikit.types import format_datetime
from ocpikit.versions import PROFILES, V221
from ocpikit.wire import default_part, model_name

__all__ = [
    "ClientOptions",
    "ModuleNotOffered",
    "Page",
    "PeerClient",
    "Party",
    "wire_datetime",
]

log = logging.getLogger("ocpikit.client")

M = TypeVar("M", bound=BaseModel)

Party = tuple[str, str]


class ModuleNotOffered(PeerError):
    """The peer's version details list no such interface."""


def wire_datetime(value: datetime) -> str:
    """A DateTime for a query parameter: UTC with ``Z``."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return format_datetime(aware.replace(microsecond=0))  # whole seconds, a 4-digit year


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How patiently we talk to a peer.

    Attributes:
        connect_timeout / read_timeout / write_timeout / pool_timeout: seconds (httpx), each
            for one network operation.
        retry: retries of failed calls (see :mod:`ocpikit.client.retry`).
        max_connections: the size of the peer's connection pool.
        deadline: the longest one call may take in total, retries and their waits included
            (None: ``read_timeout``). A peer that trickles its answer byte by byte passes every
            httpx timeout; the deadline still ends the call.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    pool_timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_connections: int = 10
    deadline: float | None = None

    def total(self) -> float:
        """Seconds one call may take, retries included."""
        return self.deadline if self.deadline is not None else self.read_timeout

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.write_timeout,
            pool=self.pool_timeout,
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    """One page of a peer's list.

    Attributes:
        items: every object of the page with its validation outcome.
        url: the URL fetched.
        offset: the offset of its first object.
        total: ``X-Total-Count`` (None when absent or unusable).
    """

    items: list[Checked[M]]
    url: str
    offset: int
    total: int | None


def _pick(
    roles: Sequence[tuple[str, str, str]], *, wanted: str | None = None, avoid: str | None = None
) -> Party | None:
    """The (cc, pid) of the first role ``wanted``, else the first not ``avoid``, else the first."""
    for role, cc, pid in roles:
        if wanted is not None and role == wanted:
            return cc, pid
    for role, cc, pid in roles:
        if avoid is not None and role != avoid:
            return cc, pid
    return (roles[0][1], roles[0][2]) if roles else None


class PeerClient:
    """The transport to one registered peer. Use as ``async with``, or call :meth:`aclose`."""

    def __init__(
        self,
        peer: Peer,
        local_parties: Sequence[LocalParty] = (),
        *,
        options: ClientOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not peer.token_out:
            raise PeerError(f"peer {peer.name} has no token to call it with", url=peer.versions_url)
        self.peer = peer
        self.options = options or ClientOptions()
        self._ours = [(p.role, p.country_code, p.party_id) for p in local_parties]
        self._theirs = [(r.role, r.country_code, r.party_id) for r in peer.roles]
        self._authorization = authorization_header(peer.token_out, peer.token_encoding)
        limits = httpx.Limits(
            max_connections=self.options.max_connections,
            max_keepalive_connections=self.options.max_connections,
        )
        self.http = httpx.AsyncClient(
            timeout=self.options.timeout(), limits=limits, transport=transport, verify=tls_context()
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # ---- endpoints and parties ----------------------------------------------------------

    def offers(self, module: str, role: str) -> bool:
        return self.peer.endpoint(module, role) is not None

    def endpoint(self, module: str, role: str) -> str:
        """The URL of the peer's ``module`` interface in ``role``, to append ``/{id}...`` to.

        Raises:
            ModuleNotOffered: when the peer's version details do not list it.
        """
        return self.published_url(module, role).rstrip("/")

    def published_url(self, module: str, role: str) -> str:
        """The URL exactly as the peer's version details give it (a list is GET there).

        Some servers publish it with a trailing ``/`` and redirect the URL without it.

        Raises:
            ModuleNotOffered: when the peer's version details do not list it.
        """
        url = self.peer.endpoint(module, role)
        if url is None:
            raise ModuleNotOffered(
                f"peer {self.peer.name} offers no {module} {role} interface",
                url=self.peer.version_url or self.peer.versions_url,
            )
        return url

    def parties(self, module: str, role: str) -> tuple[Party | None, Party | None]:
        """(our party, the peer's party) of a call to the peer's ``module`` ``role`` interface."""
        sender = SENDER_ROLE.get(module)
        if role == "SENDER":
            return _pick(self._ours, avoid=sender), _pick(self._theirs, wanted=sender)
        return _pick(self._ours, wanted=sender), _pick(self._theirs, avoid=sender)

    # ---- one call ------------------------------------------------------------------------

    def _headers(
        self, correlation_id: str | None, from_party: Party | None, to_party: Party | None
    ) -> dict[str, str]:
        headers = {
            "Authorization": self._authorization,
            "X-Request-ID": str(uuid.uuid4()),
            "X-Correlation-ID": correlation_id or str(uuid.uuid4()),
        }
        if not PROFILES.get(self.peer.version or "", V221).routing_headers:
            return headers  # OCPI 2.1.1 has no routing headers
        if from_party is not None:
            headers["OCPI-from-country-code"], headers["OCPI-from-party-id"] = from_party
        if to_party is not None:
            headers["OCPI-to-country-code"], headers["OCPI-to-party-id"] = to_party
        return headers

    async def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        from_party: Party | None = None,
        to_party: Party | None = None,
        correlation_id: str | None = None,
    ) -> OcpiReply:
        """One OCPI call, retried by the :class:`RetryPolicy`, within the options' deadline.

        Raises:
            PeerError: unreachable after every attempt, timed out, HTTP or OCPI error, or an
                answer that is not an OCPI envelope (including truncated JSON).
        """
        content = orjson.dumps(json) if json is not None else None
        headers = self._headers(correlation_id, from_party, to_party)
        if content is not None:
            headers["Content-Type"] = "application/json"
        policy = self.options.retry
        shown = str(url)
        total = self.options.total()
        loop = asyncio.get_running_loop()
        ends = loop.time() + total
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout_at(ends):
                    response = await self.http.request(
                        method, url, content=content, params=params, headers=headers
                    )
            except TimeoutError as exc:
                tries = f" (after {attempt} attempts)" if attempt > 1 else ""
                raise timed_out(shown, total, tries) from exc
            except httpx.HTTPError as exc:
                delay = policy.delay_for_error(exc, method, attempt)
                if delay is None or loop.time() + delay >= ends:
                    raise _transport_error(shown, exc, attempt) from exc
                log.info("%s %s failed (%s); retry in %.1fs", method, shown, exc, delay)
            else:
                delay = policy.delay_for_status(response, method, attempt)
                if delay is None or loop.time() + delay >= ends:
                    return decode_reply(response, shown)
                log.info(
                    "%s %s: HTTP %s; retry in %.1fs", method, shown, response.status_code, delay
                )
            headers["X-Request-ID"] = str(uuid.uuid4())
            await asyncio.sleep(delay)

    # ---- lists ---------------------------------------------------------------------------

    async def pages(
        self,
        module: str,
        model: type[M],
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
        identity: Sequence[str] = ("country_code", "party_id", "id", "last_updated"),
        cursor: PageCursor | None = None,
    ) -> AsyncIterator[Page[M]]:
        """Every page of the peer's ``module`` Sender list, objects checked with ``model``.

        One page is held at a time. ``cursor`` (optional) lets the caller read the crawl's
        state afterwards (``cursor.quirks``: what was tolerated).

        Raises:
            ModuleNotOffered: when the peer has no such Sender interface.
            PeerError: when a page cannot be fetched or is not a JSON list.
        """
        filters: dict[str, str] = {}
        if date_from is not None:
            filters["date_from"] = wire_datetime(date_from)
        if date_to is not None:
            filters["date_to"] = wire_datetime(date_to)
        endpoint = self.published_url(module, "SENDER")
        if cursor is None:
            cursor = PageCursor(endpoint)
        cursor.endpoint, cursor.filters, cursor.limit = endpoint, filters, page_size
        ours, theirs = self.parties(module, "SENDER")
        correlation_id = str(uuid.uuid4())
        url: httpx.URL | None = cursor.first()
        while url is not None:
            try:
                reply = await self.request(
                    "GET", url, from_party=ours, to_party=theirs, correlation_id=correlation_id
                )
            except PeerError as exc:
                # A server that answered (not one that is down) may have sent a broken Link.
                instead = cursor.link_failed(url, exc.message) if exc.http_status else None
                if instead is None:
                    raise
                url = instead
                continue
            data = reply.data if reply.data is not None else []
            if not isinstance(data, list):
                raise PeerError(
                    f"{url} answered a {type(data).__name__} where a list was expected",
                    url=str(url),
                    http_status=reply.http_status,
                )
            items = [self._checked(module, model, raw, identity) for raw in data]
            for item in items:
                if item.repaired:
                    log.warning("%s: %s repaired: %s", module, item.identity(), item.violations)
                elif not item.usable:
                    log.warning("%s: %s skipped: %s", module, item.identity(), item.violations)
            total = parse_int_header(reply.headers.get("X-Total-Count"))
            yield Page(items=items, url=str(url), offset=cursor.offset, total=total)
            url = cursor.advance(
                url,
                received=len(data),
                link=parse_next_link(reply.headers.get("Link")),
                total=total,
                ids=tuple(identity_of(raw) for raw in data),
            )

    def _checked(
        self, module: str, model: type[M], raw: Any, identity: Sequence[str]
    ) -> Checked[M]:
        """One listed object, checked; a peer of another version's is mapped to the domain.

        The object is checked with the peer's version's model first (repairs name its own
        fields), mapped (``ocpikit.wire``), then checked as a domain object, whose form
        ``raw`` then has: what is stored is always the domain's.
        """
        version = PROFILES.get(self.peer.version or "", V221)
        if version.canonical:
            return check(model, raw, identity=identity)
        name = model_name(version, module, default_part(module))
        theirs = check(version.wire_model(module, name), raw)
        if theirs.model is None:
            return Checked(raw, None, theirs.violations)
        _, owner = self.parties(module, "SENDER")
        ours = self.peer.local_party
        ctx = MapContext(
            *(owner or ("", "")),
            peer_country_code=ours[0] if ours else None,
            peer_party_id=ours[1] if ours else None,
        )
        try:
            mapped = version.mapping(module).to_domain(
                theirs.model.model_dump(mode="json", exclude_none=True), ctx
            )
        except MappingError as exc:
            return Checked(raw, None, (*theirs.violations, str(exc)))
        domain = check(model, mapped, identity=identity)
        return Checked(domain.raw, domain.model, (*theirs.violations, *domain.violations))

    async def iterate(
        self,
        module: str,
        model: type[M],
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
        identity: Sequence[str] = ("country_code", "party_id", "id", "last_updated"),
    ) -> AsyncIterator[Checked[M]]:
        """Every object of the peer's ``module`` Sender list, one at a time."""
        async for page in self.pages(
            module,
            model,
            date_from=date_from,
            date_to=date_to,
            page_size=page_size,
            identity=identity,
        ):
            for item in page.items:
                yield item


def _transport_error(url: str, exc: httpx.HTTPError, attempts: int) -> PeerError:
    tries = f" (after {attempts} attempts)" if attempts > 1 else ""
    if isinstance(exc, httpx.TimeoutException):
        return PeerTimeout(f"{url} did not answer in time{tries}", url=url)
    return PeerError(f"cannot reach {url}{tries}: {exc.__class__.__name__}: {exc}", url=url)
