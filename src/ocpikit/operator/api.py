"""The operator API router: every area of the operator API, mounted at ``/api``.

Errors are plain JSON ``{"detail": ...}`` with the HTTP status (this is not OCPI); the
OpenAPI description is served at ``/api/openapi.json`` with the rest of the app's.
"""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["build_router"]


def build_router() -> APIRouter:
    """The operator API, from the area routers that exist."""
    router = APIRouter(prefix="/api")
    from ocpikit.operator import areas

    for area in areas.ROUTERS:
        router.include_router(area)
    return router
