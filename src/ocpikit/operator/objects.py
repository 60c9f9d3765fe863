"""Operator API: our own locations (and EVSE status), tariffs and tokens; every stored object.

Writes are validated with the OCPI wire models, must name a local party of the right role,
and are pushed to the peers that receive them (the outbox) in the same transaction. A write
older than the stored object (``last_updated``) is refused with 409 and stores nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from ocpikit.modules.locations import service as locations
from ocpikit.modules.tariffs import service as tariffs
from ocpikit.modules.tokens import service as tokens
from ocpikit.operator.auth import Operator
from ocpikit.operator.helpers import (
    conflict,
    invalid_as_422,
    not_found,
    require_local_party,
    unprocessable,
)
from ocpikit.protocol.v221.common import TokenType
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.protocol.v221.tokens import Token, TokenPatch
from ocpikit.storage.objects import ObjectKey, WriteResult
from ocpikit.storage.schema import MAX_ID, MAX_PEER_ID, objects
from ocpikit.types import DateTime, format_datetime

__all__ = ["router"]

router = APIRouter(tags=["objects"])

CPO = frozenset({"CPO"})
EMSP = frozenset({"EMSP"})


class Module(StrEnum):
    locations = "locations"
    tariffs = "tariffs"
    tokens = "tokens"
    sessions = "sessions"
    cdrs = "cdrs"


class Source(StrEnum):
    local = "local"
    received = "received"


class EvseUpdate(EvsePatch):
    """The EVSE fields to change (typically ``status``); ``last_updated`` defaults to now."""

    last_updated: DateTime | None = None  # type: ignore[assignment]


class TokenUpdate(TokenPatch):
    """The Token fields to change (e.g. ``valid``); ``last_updated`` defaults to now."""

    last_updated: DateTime | None = None  # type: ignore[assignment]


class Written(BaseModel):
    outcome: str = Field(description="created or updated.")
    object: dict[str, Any] = Field(description="The object as stored (OCPI JSON).")


class Deleted(BaseModel):
    deleted: bool


class StoredOut(BaseModel):
    id: int = Field(description="The row id: pass the last one as `after` for the next page.")
    module: str
    country_code: str
    party_id: str
    object_id: str
    object_type: str
    source: Source
    peer_id: int | None
    last_updated: str
    data: dict[str, Any] = Field(description="The object as stored (OCPI JSON).")


class StoredPage(BaseModel):
    items: list[StoredOut]
    next_after: int | None = Field(description="`after` of the next page; null at the end.")


def _same(field: str, url: str, body: str) -> None:
    if url.upper() != body.upper():
        unprocessable(field, f"{body!r} in the body differs from {url!r} in the URL")


def _written(result: WriteResult, data: dict[str, Any], response: Response, what: str) -> Written:
    if result.outcome == "stale":
        conflict(f"last_updated: older than the stored {what}; nothing was changed")
    if result.created:
        response.status_code = 201
    return Written(outcome=result.outcome, object=data)


def _patch_body(update: BaseModel) -> dict[str, Any]:
    """The sent fields as JSON, with ``last_updated`` (now unless sent)."""
    sent = update.model_dump(mode="json", include=update.model_fields_set, exclude_none=True)
    sent.setdefault("last_updated", format_datetime(datetime.now(UTC)))
    return sent


# ---- locations ------------------------------------------------------------------------------


@router.put(
    "/locations/{country_code}/{party_id}/{location_id}",
    summary="Create or replace one of our locations (pushed to peers with a Locations Receiver)",
    responses={201: {"description": "Created"}, 409: {"description": "Older than stored"}},
)
async def put_location(
    country_code: str,
    party_id: str,
    location_id: str,
    location: Location,
    node: Operator,
    response: Response,
) -> Written:
    _same("country_code", country_code, location.country_code)
    _same("party_id", party_id, location.party_id)
    _same("id", location_id, location.id)
    await require_local_party(node.db, country_code, party_id, CPO)
    async with node.db.transaction() as conn:
        result = await locations.store_local(conn, location)
    return _written(result, location.to_wire(), response, "location")


@router.patch(
    "/locations/{country_code}/{party_id}/{location_id}/evses/{evse_uid}",
    summary="Change one of our EVSEs (its status...); the PATCH is pushed to peers",
    responses={404: {"description": "Unknown location or EVSE"}},
)
async def patch_evse(
    country_code: str,
    party_id: str,
    location_id: str,
    evse_uid: str,
    update: EvseUpdate,
    node: Operator,
) -> Written:
    if update.uid is not None:
        _same("uid", evse_uid, update.uid)
    await require_local_party(node.db, country_code, party_id, CPO)
    with invalid_as_422():
        patch = EvsePatch.model_validate(_patch_body(update))
    key = ObjectKey(locations.MODULE, country_code, party_id, location_id)
    with invalid_as_422():
        result = await locations.patch_local_evse(node.db, key, evse_uid, patch)
    if result is None:
        conflict("last_updated: older than the stored EVSE; nothing was changed")
    async with node.db.connect() as conn:
        row = (
            await conn.execute(select(objects.c.data).where(objects.c.id == result.row_id))
        ).one()
    return Written(outcome=result.outcome, object=orjson.loads(row.data))


# ---- tariffs --------------------------------------------------------------------------------


@router.put(
    "/tariffs/{country_code}/{party_id}/{tariff_id}",
    summary="Create or replace one of our tariffs (pushed to peers with a Tariffs Receiver)",
    responses={201: {"description": "Created"}, 409: {"description": "Older than stored"}},
)
async def put_tariff(
    country_code: str,
    party_id: str,
    tariff_id: str,
    tariff: Tariff,
    node: Operator,
    response: Response,
) -> Written:
    _same("country_code", country_code, tariff.country_code)
    _same("party_id", party_id, tariff.party_id)
    _same("id", tariff_id, tariff.id)
    await require_local_party(node.db, country_code, party_id, CPO)
    result = await tariffs.save_local(node.db, tariff)
    return _written(result, tariff.to_wire(), response, "tariff")


@router.delete(
    "/tariffs/{country_code}/{party_id}/{tariff_id}",
    summary="Delete one of our tariffs (the DELETE is pushed to peers)",
    responses={404: {"description": "No such tariff of ours"}},
)
async def delete_tariff(
    country_code: str, party_id: str, tariff_id: str, node: Operator
) -> Deleted:
    await require_local_party(node.db, country_code, party_id, CPO)
    if not await tariffs.delete_local(node.db, tariffs.key_of(country_code, party_id, tariff_id)):
        not_found(f"No tariff {country_code}/{party_id}/{tariff_id} of ours")
    return Deleted(deleted=True)


# ---- tokens ---------------------------------------------------------------------------------


@router.put(
    "/tokens/{country_code}/{party_id}/{uid}",
    summary="Create or replace one of our tokens (pushed to peers with a Tokens Receiver)",
    responses={201: {"description": "Created"}, 409: {"description": "Older than stored"}},
)
async def put_token(
    country_code: str,
    party_id: str,
    uid: str,
    token: Token,
    node: Operator,
    response: Response,
    type: TokenType | None = None,  # noqa: A002 - the OCPI parameter name
) -> Written:
    _same("country_code", country_code, token.country_code)
    _same("party_id", party_id, token.party_id)
    _same("uid", uid, token.uid)
    if type is not None and type is not token.type:
        unprocessable("type", f"{token.type.value!r} in the body differs from {type.value!r}")
    await require_local_party(node.db, country_code, party_id, EMSP)
    result = await tokens.save_local(node.db, token)
    return _written(result, token.to_wire(), response, "token")


@router.patch(
    "/tokens/{country_code}/{party_id}/{uid}",
    summary="Change one of our tokens (e.g. valid=false); the PATCH is pushed to peers",
    responses={404: {"description": "No such token of ours"}},
)
async def patch_token(
    country_code: str,
    party_id: str,
    uid: str,
    update: TokenUpdate,
    node: Operator,
    type: TokenType = TokenType.RFID,  # noqa: A002 - the OCPI parameter name
) -> Written:
    await require_local_party(node.db, country_code, party_id, EMSP)
    with invalid_as_422():
        patch = TokenPatch.model_validate(_patch_body(update))
    key = tokens.key_of(country_code, party_id, uid, type)
    with invalid_as_422():
        result = await tokens.patch_local(node.db, key, patch)
    if result.outcome == "stale":
        conflict("last_updated: older than the stored token; nothing was changed")
    async with node.db.connect() as conn:
        row = (
            await conn.execute(select(objects.c.data).where(objects.c.id == result.row_id))
        ).one()
    return Written(outcome=result.outcome, object=orjson.loads(row.data))


# ---- every stored object --------------------------------------------------------------------


def _stored(row: Any) -> StoredOut:
    updated = row.last_updated
    return StoredOut(
        id=row.id,
        module=row.module,
        country_code=row.country_code,
        party_id=row.party_id,
        object_id=row.object_id,
        object_type=row.object_type,
        source=Source.local if row.is_local else Source.received,
        peer_id=row.peer_id,
        last_updated=updated.isoformat(),
        data=orjson.loads(row.data),
    )


@router.get(
    "/objects/{module}",
    summary="Our own or received objects of a module, oldest first, paged by row id",
)
async def list_objects(
    module: Module,
    node: Operator,
    source: Source | None = None,
    peer: Annotated[
        int | None,
        Query(ge=1, le=MAX_PEER_ID, description="Only objects received from this peer."),
    ] = None,
    country_code: Annotated[str | None, Query(max_length=2)] = None,
    party_id: Annotated[str | None, Query(max_length=3)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The last `id` of the previous page.")
    ] = 0,
) -> StoredPage:
    query = select(objects).where(objects.c.module == module.value, objects.c.id > after)
    if source is not None:
        query = query.where(objects.c.is_local == (source is Source.local))
    if peer is not None:
        query = query.where(objects.c.peer_id == peer)
    if country_code is not None:
        query = query.where(objects.c.country_code == country_code.upper())
    if party_id is not None:
        query = query.where(objects.c.party_id == party_id.upper())
    async with node.db.connect() as conn:
        rows = list(await conn.execute(query.order_by(objects.c.id).limit(limit + 1)))
    more = len(rows) > limit
    items = [_stored(r) for r in rows[:limit]]
    return StoredPage(items=items, next_after=items[-1].id if more else None)


@router.get(
    "/objects/{module}/{country_code}/{party_id}/{object_id}",
    summary="One stored object (ours or received)",
    responses={404: {"description": "Not stored"}},
)
async def read_object(
    module: Module,
    country_code: str,
    party_id: str,
    object_id: str,
    node: Operator,
    type: Annotated[  # noqa: A002 - the OCPI parameter name
        TokenType | None, Query(description="Tokens: the token type (default: any).")
    ] = None,
) -> StoredOut:
    query = select(objects).where(
        objects.c.module == module.value,
        objects.c.country_code == country_code.upper(),
        objects.c.party_id == party_id.upper(),
        objects.c.object_id == object_id.upper(),
    )
    if type is not None:
        query = query.where(objects.c.object_type == type.value)
    async with node.db.connect() as conn:
        row = (await conn.execute(query.order_by(objects.c.id).limit(1))).first()
    if row is None:
        not_found(f"No {module.value} object {country_code}/{party_id}/{object_id} is stored")
    return _stored(row)
