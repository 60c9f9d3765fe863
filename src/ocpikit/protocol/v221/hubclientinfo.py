"""OCPI 2.2.1 HubClientInfo module wire models (``mod_hub_client_info.asciidoc``)."""

from __future__ import annotations

from enum import StrEnum

from ocpikit.protocol.v221.common import OcpiModel, Role
from ocpikit.types import CiString2, CiString3, DateTime

__all__ = ["ClientInfo", "ConnectionStatus", "Role"]


class ConnectionStatus(StrEnum):
    """``mod_hub_client_info.asciidoc §ConnectionStatus enum``."""

    CONNECTED = "CONNECTED"
    OFFLINE = "OFFLINE"
    PLANNED = "PLANNED"
    SUSPENDED = "SUSPENDED"


class ClientInfo(OcpiModel):
    """``mod_hub_client_info.asciidoc §ClientInfo Object``."""

    party_id: CiString3
    country_code: CiString2
    role: Role
    status: ConnectionStatus
    last_updated: DateTime
