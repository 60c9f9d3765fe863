"""Commands: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Parts: the request objects ``"reserve_now"``, ``"start_session"``, ``"stop_session"``,
``"unlock_connector"``, ``"cancel_reservation"`` (the CommandType values, lower case; upper case
is accepted too), and ``"command_response"`` (default: the CPO's synchronous answer) and
``"command_result"`` (what the CPO POSTs to ``response_url``). 2.1.1 has one object,
CommandResponse ``{result}``, for both of the last two.

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| CANCEL_RESERVATION, CancelReservation | (none) | out: MappingError |
| ``token`` Token | ``token`` 2.1.1 Token | mapped as in Tokens (owner from ``ctx``: the eMSP) |
| ReserveNow ``reservation_id`` CiString(36) | ``reservation_id`` int | out: decimal digits -> int, anything else MappingError; in: the int as a string |
| ReserveNow/StartSession ``authorization_reference`` | (none) | out: dropped |
| StartSession ``connector_id`` | (none) | out: dropped (the Charge Point picks the connector of the EVSE) |
| ``location_id``, ``evse_uid`` CiString(36) | string(39) | in: over 36 characters raises MappingError |
| CommandResponse ``timeout``, ``message`` | (none) | out: dropped; in: ``timeout`` = :data:`DEFAULT_TIMEOUT` (30 s) unless ``timeout=`` is given |
| CommandResponse ``result`` | ``result`` | same values; in: TIMEOUT (no CPO answers that synchronously) -> REJECTED |
| CommandResult ``message`` | (none) | out: dropped |
| CommandResult ``result`` | CommandResponse ``result`` | out: ACCEPTED, NOT_SUPPORTED, REJECTED, TIMEOUT same; CANCELED_RESERVATION, EVSE_OCCUPIED, EVSE_INOPERATIVE, FAILED, UNKNOWN_RESERVATION -> REJECTED; in: UNKNOWN_SESSION -> REJECTED ("the Charge Point has rejected the command") |
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

import re
from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211 import tokens
from ocpikit.mappings.v211._fields import Rules, ascii_object, check_length, parts, rename

__all__ = [
    "DEFAULT_TIMEOUT",
    "MODEL_NAMES",
    "PARTS",
    "patch_to_domain",
    "patch_to_wire",
    "to_domain",
    "to_wire",
]

PARTS = (
    "reserve_now",
    "start_session",
    "stop_session",
    "unlock_connector",
    "cancel_reservation",
    "command_response",
    "command_result",
)

# 2.1.1 posts a command's asynchronous result as a CommandResponse (no CommandResult class).
MODEL_NAMES = {"command_result": "CommandResponse"}

# Seconds a 2.2.1 CommandResponse promises when the 2.1.1 one (which has no timeout) is read.
DEFAULT_TIMEOUT = 30

_RESULT_OUT = {
    "ACCEPTED": "ACCEPTED",
    "NOT_SUPPORTED": "NOT_SUPPORTED",
    "REJECTED": "REJECTED",
    "TIMEOUT": "TIMEOUT",
}
_RESPONSE_IN = {"TIMEOUT": "REJECTED"}
_RESULT_IN = {"UNKNOWN_SESSION": "REJECTED"}


def _reservation_id_out(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,18}", value):
        raise MappingError("2.1.1 reservation ids are integers", field="reservation_id")
    return int(value)


def _token_out(ctx: MapContext) -> Any:
    return lambda token: tokens.to_wire(token, ctx)


def _token_in(ctx: MapContext) -> Any:
    return lambda token: tokens.to_domain(token, ctx)


def _id36(field: str) -> Any:
    return lambda value: check_length(value, 36, field)


def _rules_out(ctx: MapContext, part: str) -> Rules:
    common: Rules = {
        "response_url": ("response_url", None),
        "token": ("token", _token_out(ctx)),
        "location_id": ("location_id", None),
        "evse_uid": ("evse_uid", None),
    }
    if part == "reserve_now":
        return {
            **common,
            "expiry_date": ("expiry_date", None),
            "reservation_id": ("reservation_id", _reservation_id_out),
        }
    if part == "start_session":
        return common
    if part == "stop_session":
        return {"response_url": ("response_url", None), "session_id": ("session_id", None)}
    if part == "unlock_connector":
        return {**common, "connector_id": ("connector_id", None)}
    if part == "command_response":
        return {"result": ("result", None)}
    return {"result": ("result", _RESULT_OUT.get)}  # command_result


def _rules_in(ctx: MapContext, part: str) -> Rules:
    common: Rules = {
        "response_url": ("response_url", None),
        "token": ("token", _token_in(ctx)),
        "location_id": ("location_id", _id36("location_id")),
        "evse_uid": ("evse_uid", _id36("evse_uid")),
    }
    if part == "reserve_now":
        return {
            **common,
            "expiry_date": ("expiry_date", None),
            "reservation_id": ("reservation_id", str),
        }
    if part == "start_session":
        return common
    if part == "stop_session":
        return {"response_url": ("response_url", None), "session_id": ("session_id", None)}
    if part == "unlock_connector":
        return {**common, "connector_id": ("connector_id", None)}
    if part == "command_response":
        return {"result": ("result", lambda v: _RESPONSE_IN.get(v, v))}
    return {"result": ("result", lambda v: _RESULT_IN.get(v, v))}  # command_result


def _part(part: str) -> str:
    part = parts(part.lower(), PARTS)
    if part == "cancel_reservation":
        raise MappingError("OCPI 2.1.1 has no CANCEL_RESERVATION command")
    return part


def to_wire(
    domain: dict[str, Any], ctx: MapContext, part: str = "command_response"
) -> dict[str, Any]:
    """A complete domain command request, CommandResponse or CommandResult as 2.1.1 JSON.

    Raises:
        MappingError: CANCEL_RESERVATION; a ``reservation_id`` that is not an integer.
    """
    part = _part(part)
    out = rename(domain, _rules_out(ctx, part))
    if part == "command_result" and "result" in domain and "result" not in out:
        out["result"] = "REJECTED"
    return ascii_object(out)


def patch_to_wire(
    domain: dict[str, Any], ctx: MapContext, part: str = "command_response"
) -> dict[str, Any]:
    """Partial domain command fields as 2.1.1 ones (commands have no PATCH)."""
    return to_wire(domain, ctx, part)


def to_domain(
    wire: dict[str, Any],
    ctx: MapContext,
    part: str = "command_response",
    *,
    timeout: int = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """A complete 2.1.1 command request or CommandResponse as a domain one.

    Args:
        wire: the 2.1.1 object.
        ctx: ``country_code``/``party_id`` own the embedded Token (the eMSP).
        part: see the module docstring.
        timeout: for ``"command_response"``: the 2.2.1 ``timeout`` to put in (2.1.1 has none).
    """
    part = _part(part)
    out = rename(wire, _rules_in(ctx, part))
    if part == "command_response":
        out["timeout"] = timeout
    return out


def patch_to_domain(
    wire: dict[str, Any], ctx: MapContext, part: str = "command_response"
) -> dict[str, Any]:
    """Partial 2.1.1 command fields as domain ones (commands have no PATCH)."""
    return rename(wire, _rules_in(ctx, _part(part)))
