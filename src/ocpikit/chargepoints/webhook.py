"""The webhook adapter: every request is POSTed as JSON to the operator's URL.

Set ``OCPIKIT_ADAPTER_WEBHOOK_URL``. The JSON contract (one HTTP call per request)::

    POST <url>                                  Content-Type: application/json
    {
      "operation": "START_SESSION",             # a CommandType, or SET_PROFILE (PUT),
                                                # ACTIVE_PROFILE (GET), CLEAR_PROFILE (DELETE)
      "uid": "9f0c...",                         # our id of the request
      "cpo": {"country_code": "NL", "party_id": "CPO"},        # our party
      "requester": {"country_code": "DE", "party_id": "MSP"},  # the eMSP / SCSP
      "request": {...},                         # the OCPI object received, without
                                                # response_url (ACTIVE_PROFILE: {"duration": n},
                                                # CLEAR_PROFILE: {})
      "location": {...} | null,                 # the Location named (START/RESERVE/UNLOCK)
      "session": {...} | null,                  # the Session (STOP_SESSION, profiles)
      "timeout": 22.5                           # seconds the webhook has to answer
    }

    HTTP 2xx, body = the result object, as OCPI defines it:
      commands        CommandResult               {"result": "ACCEPTED", "message": [...]}
      SET_PROFILE     ChargingProfileResult       {"result": "ACCEPTED"}
      ACTIVE_PROFILE  ActiveChargingProfileResult {"result": "ACCEPTED", "profile": {...}}
      CLEAR_PROFILE   ClearProfileResult          {"result": "ACCEPTED"}

Any other answer (HTTP error, not JSON, not a valid result object, unreachable) is the
result ``FAILED`` for a command and ``REJECTED`` for a charging profile request, and is
logged. A webhook slower than ``timeout`` gives ``TIMEOUT`` (commands) / no result (profiles).
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import ValidationError

from ocpikit.chargepoints.adapter import CommandRequest, ProfileRequest
from ocpikit.protocol.v221.chargingprofiles import (
    ActiveChargingProfileResult,
    ChargingProfileResult,
    ChargingProfileResultType,
    ClearProfileResult,
    SetChargingProfile,
)
from ocpikit.protocol.v221.commands import (
    CancelReservation,
    CommandResult,
    CommandResultType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from ocpikit.protocol.v221.common import OcpiModel

__all__ = ["WebhookAdapter"]

log = logging.getLogger("ocpikit.chargepoints")

R = TypeVar("R", bound=OcpiModel)


def _party(party: tuple[str, str]) -> dict[str, str]:
    return {"country_code": party[0], "party_id": party[1]}


class WebhookAdapter:
    """POSTs requests to ``url`` and reads the result from the response."""

    def __init__(
        self, client: httpx.AsyncClient, url: str, *, timeout: float | None = None
    ) -> None:
        self.client = client
        self.url = url
        self.timeout = timeout

    def supports(self, operation: str) -> bool:
        return True

    async def _post(self, payload: dict[str, Any], model: type[R], failed: R) -> R:
        operation = payload["operation"]
        try:
            response = await self.client.post(
                self.url,
                content=orjson.dumps(payload),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout if self.timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            log.warning("webhook %s for %s failed: %s", self.url, operation, exc)
            return failed
        if not response.is_success:
            log.warning(
                "webhook %s answered HTTP %d to %s", self.url, response.status_code, operation
            )
            return failed
        try:
            return model.model_validate(orjson.loads(response.content))
        except (orjson.JSONDecodeError, ValidationError) as exc:
            log.warning("webhook %s gave no valid %s: %s", self.url, model.__name__, exc)
            return failed

    def _command(self, request: CommandRequest[Any]) -> dict[str, Any]:
        body = request.body.to_wire()
        body.pop("response_url", None)
        return {
            "operation": str(request.command),
            "uid": request.uid,
            "cpo": _party(request.cpo),
            "requester": _party(request.emsp),
            "request": body,
            "location": request.location,
            "session": request.session,
            "timeout": self.timeout,
        }

    async def _run_command(self, request: CommandRequest[Any]) -> CommandResult:
        failed = CommandResult(result=CommandResultType.FAILED)
        return await self._post(self._command(request), CommandResult, failed)

    async def start_session(self, request: CommandRequest[StartSession]) -> CommandResult:
        return await self._run_command(request)

    async def stop_session(self, request: CommandRequest[StopSession]) -> CommandResult:
        return await self._run_command(request)

    async def reserve_now(self, request: CommandRequest[ReserveNow]) -> CommandResult:
        return await self._run_command(request)

    async def cancel_reservation(self, request: CommandRequest[CancelReservation]) -> CommandResult:
        return await self._run_command(request)

    async def unlock_connector(self, request: CommandRequest[UnlockConnector]) -> CommandResult:
        return await self._run_command(request)

    def _profile(self, request: ProfileRequest[Any], body: dict[str, Any]) -> dict[str, Any]:
        return {
            "operation": request.operation,
            "uid": request.uid,
            "cpo": _party(request.cpo),
            "requester": _party(request.sender),
            "request": body,
            "location": None,
            "session": request.session,
            "timeout": self.timeout,
        }

    async def set_charging_profile(
        self, request: ProfileRequest[SetChargingProfile]
    ) -> ChargingProfileResult:
        body = request.body.to_wire()
        body.pop("response_url", None)
        failed = ChargingProfileResult(result=ChargingProfileResultType.REJECTED)
        payload = self._profile(request, body)
        return await self._post(payload, ChargingProfileResult, failed)

    async def get_active_charging_profile(
        self, request: ProfileRequest[int]
    ) -> ActiveChargingProfileResult:
        failed = ActiveChargingProfileResult(result=ChargingProfileResultType.REJECTED)
        payload = self._profile(request, {"duration": request.body})
        return await self._post(payload, ActiveChargingProfileResult, failed)

    async def clear_charging_profile(self, request: ProfileRequest[None]) -> ClearProfileResult:
        failed = ClearProfileResult(result=ChargingProfileResultType.REJECTED)
        payload = self._profile(request, {})
        return await self._post(payload, ClearProfileResult, failed)

    async def close(self) -> None:
        return None
