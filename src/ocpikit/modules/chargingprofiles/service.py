"""ChargingProfiles module services, both sides (``mod_charging_profiles.asciidoc``).

- Receiver (CPO): :func:`receive` (GET/PUT/DELETE), :func:`push_active_profile` (CP-03); see
  :mod:`ocpikit.modules.chargingprofiles.receiver`.
- Sender (eMSP/SCSP): :func:`set_charging_profile`, :func:`get_active_charging_profile`,
  :func:`clear_charging_profile`, :func:`receive_result`, :func:`receive_active_profile`,
  :func:`get_received_profile`; see :mod:`ocpikit.modules.chargingprofiles.sender`. Read a
  request's status and result with :func:`ocpikit.modules.commands.service.get_command`.
"""

from __future__ import annotations

from ocpikit.modules.chargingprofiles.receiver import (
    MODULE,
    parse_duration,
    parse_response_url,
    parse_set,
    push_active_profile,
    receive,
)
from ocpikit.modules.chargingprofiles.sender import (
    clear_charging_profile,
    get_active_charging_profile,
    get_received_profile,
    receive_active_profile,
    receive_result,
    set_charging_profile,
)

__all__ = [
    "MODULE",
    "clear_charging_profile",
    "get_active_charging_profile",
    "get_received_profile",
    "parse_duration",
    "parse_response_url",
    "parse_set",
    "push_active_profile",
    "receive",
    "receive_active_profile",
    "receive_result",
    "set_charging_profile",
]
