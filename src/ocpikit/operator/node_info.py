"""Operator API: the node itself (identity, parties, versions served, outbox health)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ocpikit.operator.auth import Operator
from ocpikit.sync.push import outbox_counts

__all__ = ["router"]

router = APIRouter(tags=["node"])


@router.get("/node", summary="This node: base URL, local parties, versions and endpoints")
async def get_node(node: Operator) -> dict[str, Any]:
    return {
        "base_url": node.base_url,
        "versions_url": node.versions_url,
        "parties": [
            {"country_code": p.country_code, "party_id": p.party_id, "role": p.role, "name": p.name}
            for p in node.parties
        ],
        "endpoints": node.endpoints,
        "outbox": await outbox_counts(node.db),
    }
