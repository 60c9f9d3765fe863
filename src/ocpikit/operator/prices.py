"""Operator API: price comparison across EVSEs and CDR price disputes (``docs/prices.md``).

- ``POST /api/prices/compare``: what "about X kWh over Y minutes from T" costs at each EVSE
  (:func:`ocpikit.pricing.compare_prices`); a bad body is 422 naming the field. It answers a
  driver, so Locations with ``publish=false`` are left out unless the body's ``token`` (the
  driver's Token: ``uid``, ``type``, ``visual_number``, ``issuer``, ``group_id``) matches
  their ``publish_allowed_to`` (LOC-07).
- ``GET /api/cdrs/disputes?after=&limit=``: received CDRs whose totals differ from our
  re-pricing by more than 0.01 (events ``cdr.price_mismatch``), oldest first.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ocpikit.operator.auth import Operator
from ocpikit.pricing import CompareRequest, compare_prices, list_disputes
from ocpikit.storage.schema import MAX_ID

__all__ = ["router"]

router = APIRouter(tags=["prices"])


@router.post("/prices/compare", summary="Compare what a planned charge costs at each EVSE")
async def compare(node: Operator, body: CompareRequest) -> dict[str, Any]:
    return await compare_prices(node.db, body)


@router.get("/cdrs/disputes", summary="Received CDRs whose totals differ from our pricing")
async def disputes(
    node: Operator,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Only events after this event id")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    items = await list_disputes(node.db, after=after, limit=limit)
    return {"items": items, "next_after": items[-1]["event_id"] if items else after}
