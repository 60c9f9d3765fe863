"""Pieces every functional module shares: party checks, pages, single objects, PATCH merges.

Party isolation (``transport_and_format.asciidoc §Client Owned Object Push``, TF-60..65): a
peer writes and reads client-owned objects only under the ``country_code``/``party_id`` of
its own registered roles. Anything else is a 404 and nothing is stored, whatever ids it
guesses.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from ocpikit.catalog import owner_roles
from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.mappings.context import MapContext
from ocpikit.node import Node
from ocpikit.protocol.v221.common import OcpiPatch
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ListQuery, ObjectKey, ObjectStore
from ocpikit.transport.body import describe_validation_error, read_json
from ocpikit.transport.edge import Edge, edge_of
from ocpikit.transport.envelope import OcpiResponse, json_array, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.pagination import page_headers, parse_page_request
from ocpikit.transport.security import Caller
from ocpikit.wire import intake, render

__all__ = [
    "edge_context",
    "lookup_context",
    "merge_patch",
    "read_domain",
    "read_received",
    "require_owner",
    "require_same_key",
    "serve_object",
    "serve_page",
    "validate_merged",
]

M = TypeVar("M", bound=BaseModel)


def caller_parties(caller: Caller, roles: Collection[str] | None = None) -> list[tuple[str, str]]:
    """The (country_code, party_id) pairs of the calling peer's roles (of ``roles`` only)."""
    if caller.peer is None:
        return []
    return [
        (r.country_code, r.party_id) for r in caller.peer.roles if roles is None or r.role in roles
    ]


def require_owner(caller: Caller, country_code: str, party_id: str, module: str) -> None:
    """The caller must own ``country_code``/``party_id`` in the role owning ``module``'s objects.

    TF-63: else 404, nothing stored. The roles are in ``ocpikit/catalog.py``.

    Raises:
        NotFound: when the party is not one of the caller's registered parties in that role.
    """
    roles = owner_roles(module) or None
    if caller.peer is None or not caller.peer.owns(country_code, party_id, roles):
        in_role = f" as {'/'.join(sorted(roles))}" if roles else ""
        raise NotFound(
            f"{country_code}/{party_id} is not one of your registered parties{in_role}",
        )


async def read_received(db: Database, caller: Caller, key: ObjectKey, what: str) -> str:
    """A client-owned object the calling peer pushed to us, as stored JSON (Receiver GET).

    Raises:
        NotFound: 404 for a party the caller does not own, or an unknown object (ours
            included: a Receiver interface never shows the node's own objects).
    """
    require_owner(caller, key.country_code, key.party_id, key.module)
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(key)
    if stored is None or stored.is_local:
        raise NotFound(f"Unknown {what} {key.object_id!r}")
    return stored.data


def require_same_key(url: dict[str, str], body: dict[str, Any]) -> None:
    """URL segments must equal the object's own fields (TF-62, TF-64: 2001).

    Args:
        url: field name -> value from the URL.
        body: the (partial) object; fields it does not carry are not compared.

    Raises:
        InvalidParameters: naming the first field that differs.
    """
    for name, expected in url.items():
        got = body.get(name)
        if got is not None and str(got).upper() != expected.upper():
            raise InvalidParameters(
                f"{name} {got!r} in the body differs from {expected!r} in the URL"
            )


def merge_patch(stored: dict[str, Any], patch: OcpiPatch) -> dict[str, Any]:
    """Apply the fields a PATCH sent to a stored JSON object (TF-13: others stay unchanged)."""
    sent = patch.model_dump(mode="json", include=patch.model_fields_set, exclude_none=True)
    return {**stored, **sent}


def validate_merged(model: type[M], data: dict[str, Any], *, prefix: str = "") -> M:
    """Validate an object rebuilt from stored data and a change.

    Raises:
        InvalidParameters: when the result would not be a valid object.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc, prefix=prefix)) from exc


def serve_object(
    data: str | bytes,
    request: Request,
    module: str = "",
    part: str | None = None,
    ctx: MapContext | None = None,
) -> OcpiResponse:
    """One stored object, in the request's version (``module``/``part`` name what it is)."""
    edge = edge_of(request)
    headers = routing_headers(request).response_headers()
    if edge.profile.canonical:
        return ok(raw=data.encode() if isinstance(data, str) else data, headers=headers)
    ctx = ctx or edge_context(edge)
    rendered = render(edge.profile, module, orjson.loads(data), ctx, part=part)
    if rendered is None:
        raise NotFound(f"This {part or module} has no OCPI {edge.version} form")
    return ok(rendered, headers=headers)


async def lookup_context(
    db: Database, ctx: MapContext, module: str, objects: list[dict[str, Any]]
) -> MapContext:
    """``ctx`` with the Locations that ``objects`` (Sessions, CDRs) name, for the mappings.

    OCPI 2.1.1 Sessions and CDRs embed their Location; the domain names it by id. The
    Location is the one of the object's own party (ours for our objects, the CPO's for
    received ones).
    """
    if module not in ("sessions", "cdrs") or not objects:
        return ctx
    wanted: dict[str, tuple[str, str]] = {}
    for obj in objects:
        lid = obj.get("location_id") or (obj.get("cdr_location") or {}).get("id")
        if isinstance(lid, str):
            wanted[lid] = (str(obj.get("country_code", "")), str(obj.get("party_id", "")))
    found: dict[str, dict[str, Any]] = {}
    async with db.connect() as conn:
        store = ObjectStore(conn)
        for lid, (cc, pid) in wanted.items():
            for stored in await store.find("locations", lid, is_local=None):
                if (stored.key.country_code, stored.key.party_id) == (cc.upper(), pid.upper()):
                    found[lid] = stored.parsed()
    return replace(ctx, location=found.get)


async def read_domain(
    request: Request,
    module: str,
    owner: tuple[str, str],
    *,
    part: str | None = None,
    patch: bool = False,
) -> Any:
    """A Receiver's request body in the domain's form (``ocpikit.wire``).

    ``owner``: the party the object belongs to (the URL's, or the calling CPO's); the eMSP
    of a token the object names is the party the request came in for (2.1.1 objects carry
    neither).

    Raises:
        InvalidParameters: 400 for non-JSON, 2001 naming the field in the version's terms.
    """
    edge = edge_of(request)
    ours = edge_context(edge)
    ctx = MapContext(
        owner[0],
        owner[1],
        peer_country_code=ours.country_code or None,
        peer_party_id=ours.party_id or None,
    )
    body = await read_json(request)
    return intake(edge.profile, module, body, ctx, part=part, patch=patch)


def edge_context(edge: Edge, owner: tuple[str, str] | None = None) -> MapContext:
    """The mapping context of objects at ``edge``: owned by ``owner``, else its party."""
    if owner is None:
        owner = (edge.party.country_code, edge.party.party_id) if edge.party else ("", "")
    return MapContext(owner[0], owner[1])


async def serve_page(
    request: Request,
    node: Node,
    query: ListQuery,
    *,
    require_date_from: bool = False,
) -> OcpiResponse:
    """One page of a Sender list (TF-50..53): stored JSON joined, with pagination headers."""
    routing = routing_headers(request)
    page = parse_page_request(
        request, max_limit=node.settings.page_limit_max, require_date_from=require_date_from
    )
    query = _with_dates(query, page.date_from, page.date_to)
    edge = edge_of(request)
    if edge.profile.per_party and edge.party is not None and query.is_local:
        # One party per connection: its own objects only.
        query = replace(query, owners=[(edge.party.country_code, edge.party.party_id)])
    if query.module == "locations" and not _has_publish_flag(edge):
        # A version without the flag cannot honour publish=false: such locations are not
        # exchanged in it (counted out of X-Total-Count too, not just left off the page).
        query = replace(query, published_only=True)
    if node.db.reader is not None:
        total, items = node.db.reader.page(query, offset=page.offset, limit=page.limit)
    else:
        async with node.db.connect() as conn:
            store = ObjectStore(conn)
            total = await store.count(query)
            items = await store.page(query, offset=page.offset, limit=page.limit)
    headers = page_headers(request, page, total=total, returned=len(items), base_url=node.base_url)
    headers.update(routing.response_headers())
    if not edge.profile.canonical:
        parsed = [orjson.loads(item) for item in items]
        ctx = await lookup_context(node.db, edge_context(edge), query.module, parsed)
        rendered = [render(edge.profile, query.module, obj, ctx) for obj in parsed]
        return ok([r for r in rendered if r is not None], headers=headers)
    return ok(raw=json_array(items), headers=headers)


def _has_publish_flag(edge: Edge) -> bool:
    model = edge.profile.wire_model("locations", "Location")
    return "publish" in model.model_fields


def _with_dates(
    query: ListQuery, date_from: datetime | None, date_to: datetime | None
) -> ListQuery:
    return replace(query, date_from=date_from, date_to=date_to)
