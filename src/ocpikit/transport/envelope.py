"""The OCPI response envelope (``transport_and_format.asciidoc §Response format``).

Every response the node sends, success or failure, is ``{data?, status_code,
status_message?, timestamp}``. Success bodies are assembled from bytes so that stored object
JSON goes to the wire without being parsed and validated again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

from ocpikit.transport.status import StatusCode
from ocpikit.types import format_datetime

__all__ = ["OcpiResponse", "dumps", "envelope", "json_array", "ok", "to_jsonable"]


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, datetime):
        return format_datetime(value)
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """Serialise to JSON bytes; pydantic models are dumped without absent fields."""
    if isinstance(value, BaseModel):
        return value.model_dump_json(exclude_none=True).encode()
    return orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def to_jsonable(value: Any) -> Any:
    return orjson.loads(dumps(value))


def json_array(items: Sequence[str]) -> bytes:
    """Join already serialised JSON objects into a JSON array without re-parsing them."""
    return ("[" + ",".join(items) + "]").encode()


def envelope(
    data: bytes | None,
    status_code: int = StatusCode.SUCCESS,
    status_message: str | None = None,
) -> bytes:
    """The envelope around already serialised ``data`` (omitted when None)."""
    parts = []
    if data is not None:
        parts.append(b'"data":' + data)
    parts.append(b'"status_code":%d' % int(status_code))
    if status_message is not None:
        parts.append(b'"status_message":' + orjson.dumps(status_message))
    parts.append(b'"timestamp":"' + format_datetime(datetime.now(UTC)).encode() + b'"')
    return b"{" + b",".join(parts) + b"}"


class OcpiResponse(Response):
    media_type = "application/json"


def ok(
    data: Any = None,
    *,
    raw: bytes | None = None,
    http_status: int = 200,
    headers: Mapping[str, str] | None = None,
    status_message: str | None = "Success",
) -> OcpiResponse:
    """A 1000 response with ``data`` (any JSON-able value) or ``raw`` (JSON bytes)."""
    body = raw if raw is not None else (dumps(data) if data is not None else None)
    return OcpiResponse(
        envelope(body, StatusCode.SUCCESS, status_message),
        status_code=http_status,
        headers=dict(headers or {}),
    )
