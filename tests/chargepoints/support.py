"""Helpers of the Commands / ChargingProfiles / charge point tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import orjson

from ocpikit.modules.credentials.service import register_with_peer
from ocpikit.modules.locations import service as locations
from ocpikit.protocol.v221.locations import Location
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import Peer, PeerRepository
from ocpikit.types import parse_datetime
from tests import factories
from tests.support import Databases, Pair, RunningNode, running_node

T = TypeVar("T")

# Fast simulated charge points: a charging period every 0.2 s, results within 5 s.
SIMULATOR = {
    "simulator": True,
    "simulator_period_seconds": 0.2,
    "simulator_rejected_tokens": ["BLOCKED1"],
    "command_timeout": 5,
}


async def poll(
    fetch: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 10.0
) -> T:
    """Call ``fetch`` until ``done(value)``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        await asyncio.sleep(0.05)


def command_token(uid: str = "TOKEN1", cc: str = "DE", pid: str = "MSP", **extra: Any) -> dict:
    """A Token as a START_SESSION / RESERVE_NOW carries it."""
    return {
        "country_code": cc,
        "party_id": pid,
        "uid": uid,
        "type": "APP_USER",
        "contract_id": f"DE-MSP-C{uid}"[:36],
        "issuer": "ocpikit tests",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": "2026-01-01T00:00:00Z",
        **extra,
    }


def energy_tariff(tid: str = "T1", cc: str = "NL", pid: str = "CPO") -> dict:
    """0.50 start fee plus 0.25/kWh, VAT 21%."""
    return {
        "country_code": cc,
        "party_id": pid,
        "id": tid,
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "FLAT", "price": 0.5, "vat": 21.0, "step_size": 1}]},
            {"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 21.0, "step_size": 1}]},
        ],
        "last_updated": "2026-01-01T00:00:00Z",
    }


async def seed_location(node: RunningNode, lid: str = "LOC1", **extra: Any) -> dict:
    loc = factories.location(lid, **extra)
    await locations.save_local(node.db, Location.model_validate(loc))
    return loc


async def seed_tariff(node: RunningNode, tariff: dict) -> None:
    key = ObjectKey("tariffs", tariff["country_code"], tariff["party_id"], tariff["id"])
    async with node.db.transaction() as conn:
        await ObjectStore(conn).put(
            key,
            orjson.dumps(tariff),
            last_updated=parse_datetime(tariff["last_updated"]),
            is_local=True,
        )


async def stored(
    node: RunningNode, module: str, object_id: str, cc: str = "NL", pid: str = "CPO"
) -> dict | None:
    async with node.db.connect() as conn:
        obj = await ObjectStore(conn).get(ObjectKey(module, cc, pid, object_id))
    return obj.parsed() if obj else None


async def evse_status(node: RunningNode, lid: str, uid: str) -> str:
    loc = await stored(node, "locations", lid)
    assert loc is not None
    return next(e["status"] for e in loc["evses"] if e["uid"] == uid)


async def only_peer(node: RunningNode) -> Peer:
    async with node.db.connect() as conn:
        [peer] = await PeerRepository(conn).list()
    return peer


async def register(initiator: RunningNode, other: RunningNode) -> Pair:
    """``initiator`` registers with ``other`` (a CPO-like node), as the ``pair`` fixture."""
    peer = await register_with_peer(
        initiator.db,
        initiator.client,
        versions_url=other.versions_url,
        token_a=await other.token_a(),
    )
    other_side = await only_peer(other)
    assert peer.token_out and other_side.token_out
    return Pair(cpo=other, emsp=initiator, to_cpo=peer.token_out, to_emsp=other_side.token_out)


@asynccontextmanager
async def custom_pair(databases: Databases, **cpo_settings: object) -> AsyncIterator[Pair]:
    """A CPO node NL:CPO with ``cpo_settings`` and an eMSP DE:MSP, registered."""
    async with (
        running_node(await databases.new(), [("NL", "CPO", "CPO")], **cpo_settings) as cpo,
        running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp,
    ):
        yield await register(emsp, cpo)
