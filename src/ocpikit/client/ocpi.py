"""The typed OCPI 2.2.1 client of one peer: every module interface its version details list.

Build it from a stored :class:`~ocpikit.storage.repositories.Peer` and our local parties::

    async with OcpiClient(peer, parties) as client:
        async for item in client.list_locations(date_from=since):
            if item.usable: ...
        info = await client.authorize("012345678")

Methods are named after what they do on the peer's interface; a module the peer does not
offer raises :class:`~ocpikit.client.peer.ModuleNotOffered`, any failed call
:class:`~ocpikit.errors.PeerError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from ocpikit.client.data_modules import LIST_MODELS, DataModules, parse_reply, path_of
from ocpikit.client.tolerant import Checked
from ocpikit.protocol.v221.chargingprofiles import (
    ActiveChargingProfile,
    ActiveChargingProfileResult,
    ChargingProfileResponse,
    ChargingProfileResult,
    ClearProfileResult,
    SetChargingProfile,
)
from ocpikit.protocol.v221.commands import CommandResponse, CommandResult, CommandType
from ocpikit.protocol.v221.common import OcpiModel
from ocpikit.protocol.v221.hubclientinfo import ClientInfo

__all__ = ["LIST_MODELS", "OcpiClient"]


class OcpiClient(DataModules):
    """Every 2.2.1 module interface of one peer, typed with the wire models."""

    # ---- commands ------------------------------------------------------------------------

    async def send_command(self, command: CommandType, request: OcpiModel) -> CommandResponse:
        """POST a command (StartSession, StopSession...) to the CPO's Receiver."""
        path = path_of(command.value)
        reply = await self._call("commands", "RECEIVER", "POST", path, json=request.to_wire())
        return parse_reply(
            CommandResponse, reply.data, self.endpoint("commands", "RECEIVER") + path
        )

    async def post_command_result(self, response_url: str, result: CommandResult) -> None:
        """POST the asynchronous CommandResult to the ``response_url`` of the command."""
        ours, theirs = self.parties("commands", "SENDER")
        await self.request(
            "POST", response_url, json=result.to_wire(), from_party=ours, to_party=theirs
        )

    # ---- charging profiles ---------------------------------------------------------------

    async def get_active_charging_profile(
        self, session_id: str, duration: int, response_url: str
    ) -> ChargingProfileResponse:
        params = {"duration": str(duration), "response_url": response_url}
        return await self._get(
            ChargingProfileResponse,
            "chargingprofiles",
            "RECEIVER",
            path_of(session_id),
            params=params,
        )

    async def set_charging_profile(
        self, session_id: str, profile: SetChargingProfile
    ) -> ChargingProfileResponse:
        path = path_of(session_id)
        reply = await self._call(
            "chargingprofiles", "RECEIVER", "PUT", path, json=profile.to_wire()
        )
        url = self.endpoint("chargingprofiles", "RECEIVER") + path
        return parse_reply(ChargingProfileResponse, reply.data, url)

    async def clear_charging_profile(
        self, session_id: str, response_url: str
    ) -> ChargingProfileResponse:
        path = path_of(session_id)
        reply = await self._call(
            "chargingprofiles", "RECEIVER", "DELETE", path, params={"response_url": response_url}
        )
        url = self.endpoint("chargingprofiles", "RECEIVER") + path
        return parse_reply(ChargingProfileResponse, reply.data, url)

    async def post_charging_profile_result(
        self,
        response_url: str,
        result: ActiveChargingProfileResult | ChargingProfileResult | ClearProfileResult,
    ) -> None:
        """POST a profile result to the ``response_url`` the SCSP gave."""
        ours, theirs = self.parties("chargingprofiles", "SENDER")
        await self.request(
            "POST", response_url, json=result.to_wire(), from_party=ours, to_party=theirs
        )

    async def put_active_charging_profile(
        self, session_id: str, profile: ActiveChargingProfile
    ) -> None:
        """Tell the SCSP (its Sender interface) of a changed active profile."""
        await self._call(
            "chargingprofiles", "SENDER", "PUT", path_of(session_id), json=profile.to_wire()
        )

    # ---- hub client info -----------------------------------------------------------------

    def list_client_info(
        self,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Checked[ClientInfo]]:
        return self.list_of(
            "hubclientinfo", date_from=date_from, date_to=date_to, page_size=page_size
        )

    async def get_client_info(self, cc: str, pid: str) -> ClientInfo:
        return await self._get(ClientInfo, "hubclientinfo", "RECEIVER", path_of(cc, pid))

    async def put_client_info(self, info: ClientInfo) -> None:
        path = path_of(info.country_code, info.party_id)
        await self._call("hubclientinfo", "RECEIVER", "PUT", path, json=info.to_wire())
