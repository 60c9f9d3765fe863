"""Reading request bodies: JSON first (400 when it is not), then the wire model (2001).

``status_codes.asciidoc``: the transport layer ends when the body is parsed as JSON; a body
that is not JSON is an HTTP 400. Anything after that is the OCPI layer: a 2001 whose message
names the field, with HTTP 200 (SC-02).
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from ocpikit.errors import InvalidParameters

__all__ = ["describe_validation_error", "read_json", "read_model"]

M = TypeVar("M", bound=BaseModel)


def describe_validation_error(exc: ValidationError, *, prefix: str = "") -> str:
    """One sentence naming each failing field, e.g. ``evses.0.uid: Field required``."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "body"
        parts.append(f"{prefix}{where}: {error['msg']}")
    more = len(exc.errors()) - 5
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


async def read_json(request: Request) -> Any:
    """The request body as JSON.

    Raises:
        InvalidParameters: HTTP 400 when the body is empty or not JSON.
    """
    raw = await request.body()
    if not raw.strip():
        raise InvalidParameters(
            "The request body is empty; a JSON body is required", http_status=400
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidParameters(
            f"The request body is not valid JSON: {exc}", http_status=400
        ) from exc


async def read_model(request: Request, model: type[M]) -> M:
    """The request body validated as ``model``.

    Raises:
        InvalidParameters: 400 for non-JSON, 2001 (HTTP 200) naming the failing fields.
    """
    data = await read_json(request)
    if not isinstance(data, dict):
        raise InvalidParameters(
            f"The request body must be a JSON object, got {type(data).__name__}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc
