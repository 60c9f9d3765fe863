"""Fake charge point adapters, loaded by nodes through ``OCPIKIT_ADAPTER=module:callable``."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpikit.chargepoints.adapter import NoAdapter
from ocpikit.protocol.v221.commands import CommandResult


class SlowAdapter(NoAdapter):
    """Supports everything and never answers in time."""

    def supports(self, operation: str) -> bool:
        return True

    async def _never(self, request: Any) -> CommandResult:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    start_session = stop_session = reserve_now = _never
    cancel_reservation = unlock_connector = _never
    set_charging_profile = get_active_charging_profile = clear_charging_profile = _never  # type: ignore[assignment]  # one fake for all


def slow(node: object) -> SlowAdapter:
    return SlowAdapter()
