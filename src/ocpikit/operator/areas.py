"""The list of operator API areas: each module adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from ocpikit.operator import node_info

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [node_info.router]
