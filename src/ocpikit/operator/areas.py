"""The list of operator API areas: each module adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from ocpikit.operator import commands, events, node_info, objects, outbox, parties, peers, prices

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [node_info.router, prices.router]
ROUTERS += [parties.router, peers.router, objects.router, commands.router, outbox.router]
ROUTERS += [events.router]
