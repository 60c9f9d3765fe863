"""The ASGI application: ``create_app(settings)``. Nothing runs at import time.

The node's identity (base URL, local parties) is read from the database at startup, and the
OCPI routes are mounted from it, so that what version details list is exactly what is served.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from ocpikit.chargepoints.runner import start_chargepoints
from ocpikit.client.http import http_client
from ocpikit.config import Settings
from ocpikit.errors import OcpiError
from ocpikit.modules import registry
from ocpikit.modules.versions.api import party_router
from ocpikit.modules.versions.api import router as versions_router
from ocpikit.node import Node
from ocpikit.operator.api import build_router as operator_router
from ocpikit.operator.webhooks import start_webhooks
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import ConfigRepository, PartyRepository
from ocpikit.sync.pull import run_periodic_sync
from ocpikit.sync.push import PushWorker
from ocpikit.transport.envelope import OcpiResponse, envelope
from ocpikit.transport.headers import RequestIdMiddleware
from ocpikit.transport.limits import RequestLimitMiddleware
from ocpikit.transport.status import StatusCode
from ocpikit.web.console import router as console_router

__all__ = ["create_app", "create_app_from_env", "push_worker"]

log = logging.getLogger("ocpikit")


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return OcpiResponse(envelope(None, code, message), status_code=status, headers=headers)


def _operator_path(path: str) -> bool:
    """The operator API answers plain JSON errors, not OCPI envelopes."""
    return path.startswith("/api/") or path == "/api"


def _operator(request: Request) -> bool:
    return _operator_path(request.url.path)


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


async def _ocpi_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OcpiError)
    if _operator(request):
        # OCPI answers bad data with HTTP 200 + 2xxx; an operator API uses HTTP statuses.
        status = (
            exc.http_status if exc.http_status >= 400 else (400 if exc.status_code < 3000 else 502)
        )
        return _plain(status, exc.message, exc.headers)
    return _error(exc.http_status, exc.status_code, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _operator(request):
        return _plain(exc.status_code, str(exc.detail), dict(exc.headers or {}))
    messages = {404: "No such OCPI endpoint or object", 405: "Method not allowed here"}
    message = messages.get(exc.status_code, str(exc.detail))
    return _error(exc.status_code, StatusCode.CLIENT_ERROR, message, dict(exc.headers or {}))


def _refused(path: str, exc: StarletteHTTPException) -> Response:
    """A request refused before the app runs (too long a URL, head or declared body)."""
    headers = dict(exc.headers or {})
    if _operator_path(path):
        return _plain(exc.status_code, exc.detail, headers)
    return _error(exc.status_code, StatusCode.CLIENT_ERROR, exc.detail, headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if _operator(request):
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
    if any(e.get("type") == "json_invalid" for e in errors):
        return _error(400, StatusCode.INVALID_PARAMETERS, "The request body is not valid JSON")
    parts = [
        f"{'.'.join(str(p) for p in e.get('loc', ()) if p not in ('body', 'query', 'path'))}: "
        f"{e.get('msg')}"
        for e in errors[:5]
    ]
    return _error(200, StatusCode.INVALID_PARAMETERS, "; ".join(parts))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if _operator(request):
        return _plain(500, "Internal error; it has been logged")
    return _error(500, StatusCode.SERVER_ERROR, "Internal error; it has been logged")


async def load_node(node: Node) -> None:
    """Read the node's identity from its database."""
    async with node.db.connect() as conn:
        base_url = await ConfigRepository(conn).get("base_url")
        node.parties = await PartyRepository(conn).list()
    if not base_url:
        raise RuntimeError("the database is not initialised: run `ocpikit init` first")
    node.base_url = base_url.rstrip("/")


async def _timed(what: str, step: Awaitable[object]) -> None:
    """Await one shutdown step; a slow one is logged (a stop must not hang unnoticed)."""
    started = time.monotonic()
    await step
    took = time.monotonic() - started
    if took > 1.0:
        log.warning("stopping the %s took %.1f s", what, took)


def push_worker(settings: Settings, db: Database) -> PushWorker:
    """The outbox worker configured from settings."""
    return PushWorker(
        db,
        concurrency=settings.push_concurrency,
        max_attempts=settings.push_max_attempts,
        base_delay=settings.push_base_delay,
        peer_max_delay=settings.push_peer_max_delay,
        lock_seconds=settings.push_lock_seconds,
        timeout=settings.peer_timeout,
        retention=timedelta(days=settings.push_retention_days)
        if settings.push_retention_days > 0
        else None,
    )


def create_app(
    settings: Settings, *, interfaces: list[registry.Interface] | None = None
) -> FastAPI:
    """Build the node's ASGI app for ``settings``.

    Args:
        settings: process settings; the database must have been initialised.
        interfaces: the module interfaces to offer (default: all that ocpikit implements).
    """
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    node = Node(settings=settings, db=db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await load_node(node)
        node.http = http_client(timeout=settings.peer_timeout)
        registry.mount(app, node, interfaces)
        app.include_router(party_router(node))
        chargepoints = await start_chargepoints(app, node)
        webhooks = await start_webhooks(settings, db)
        worker = push_worker(settings, db) if settings.push_worker else None
        worker_task = asyncio.create_task(worker.run()) if worker else None
        stop_sync = asyncio.Event()
        sync_task = (
            asyncio.create_task(run_periodic_sync(db, settings.sync_interval, stop_sync))
            if settings.sync_interval > 0
            else None
        )
        try:
            yield
        finally:
            stop_sync.set()
            if sync_task is not None:
                await _timed("periodic sync", sync_task)
            if worker is not None and worker_task is not None:
                worker.stop()
                await _timed("push worker", worker_task)
                await worker.close()
            if webhooks is not None:
                await _timed("webhooks", webhooks.shutdown())
            await _timed("charge point runner", chargepoints.stop())
            await node.http.aclose()
            await _timed("database", db.close())

    app = FastAPI(
        title="ocpikit",
        summary="OCPI node: versions, credentials and every functional module",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.node = node
    app.add_middleware(
        RequestLimitMiddleware, max_body_bytes=settings.max_body_bytes, refuse=_refused
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_exception_handler(OcpiError, _ocpi_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
    app.include_router(versions_router)
    app.include_router(operator_router())
    app.include_router(console_router)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): settings from ``OCPIKIT_*``."""
    return create_app(Settings())
