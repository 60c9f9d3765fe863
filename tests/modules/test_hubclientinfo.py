"""HubClientInfo: a Hub node pushes ClientInfo to a CPO node and lists its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ocpikit.modules.hubclientinfo import service
from ocpikit.protocol.v221.hubclientinfo import ClientInfo
from tests.chargepoints.support import poll, register, stored
from tests.support import Databases, Pair, RunningNode, running_node
from tests.versions import details_path, ocpi_path

# 2.2.1 only: 2.1.1 has no Hub and no HubClientInfo module.
RECEIVER = ocpi_path("2.2.1", "hubclientinfo", "RECEIVER")
SENDER = ocpi_path("2.2.1", "hubclientinfo", "SENDER")


def info(cc: str = "DE", pid: str = "MSP", status: str = "CONNECTED", **extra) -> dict:
    return {
        "country_code": cc,
        "party_id": pid,
        "role": "EMSP",
        "status": status,
        "last_updated": "2026-01-01T00:00:00Z",
        **extra,
    }


@pytest.fixture
async def hub(databases: Databases) -> AsyncIterator[RunningNode]:
    async with running_node(await databases.new(), [("NL", "HUB", "HUB")]) as node:
        yield node


@pytest.fixture
async def hub_cpo(hub: RunningNode, cpo: RunningNode) -> Pair:
    """The Hub registered with the CPO: ``cpo_headers()`` = the Hub calling the CPO."""
    return await register(hub, cpo)


def hub_calls_cpo(link: Pair) -> dict[str, str]:
    return link.cpo.auth(link.to_cpo)


def cpo_calls_hub(link: Pair) -> dict[str, str]:
    return link.emsp.auth(link.to_emsp)


async def test_version_details_list_receiver_and_hub_sender(hub_cpo: Pair):
    r = await hub_cpo.cpo.client.get(details_path("2.2.1"), headers=hub_calls_cpo(hub_cpo))
    assert {
        "identifier": "hubclientinfo",
        "role": "RECEIVER",
        "url": hub_cpo.cpo.url + RECEIVER,
    } in r.json()["data"]["endpoints"]
    r = await hub_cpo.emsp.client.get(details_path("2.2.1"), headers=cpo_calls_hub(hub_cpo))
    endpoints = r.json()["data"]["endpoints"]
    assert {"identifier": "hubclientinfo", "role": "SENDER", "url": hub_cpo.emsp.url + SENDER} in (
        endpoints
    )
    assert not any(
        e["identifier"] == "hubclientinfo" and e["role"] == "RECEIVER" for e in endpoints
    )


async def test_hub_puts_then_updates_then_gets_client_info(hub_cpo: Pair):
    client, h = hub_cpo.cpo.client, hub_calls_cpo(hub_cpo)
    r = await client.put(f"{RECEIVER}/DE/MSP", json=info(), headers=h)
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    newer = info(status="OFFLINE", last_updated="2026-02-01T00:00:00Z")
    r = await client.put(f"{RECEIVER}/de/msp", json=newer, headers=h)
    assert r.status_code == 200
    older = info(status="PLANNED", last_updated="2025-12-01T00:00:00Z")
    r = await client.put(f"{RECEIVER}/DE/MSP", json=older, headers=h)
    assert r.status_code == 200
    r = await client.get(f"{RECEIVER}/DE/MSP", headers=h)
    assert r.json()["data"]["status"] == "OFFLINE"
    assert await service.client_status(hub_cpo.cpo.db, "DE", "MSP") == "OFFLINE"


async def test_unknown_client_info_is_404(hub_cpo: Pair):
    r = await hub_cpo.cpo.client.get(f"{RECEIVER}/FR/XXX", headers=hub_calls_cpo(hub_cpo))
    assert r.status_code == 404 and r.json()["status_code"] == 2000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (info(status="BUSY"), "status"),
        ({k: v for k, v in info().items() if k != "role"}, "role"),
        (info(pid="OTH"), "party_id"),
    ],
)
async def test_bad_client_info_is_2001_naming_the_field(hub_cpo: Pair, body: dict, field: str):
    r = await hub_cpo.cpo.client.put(
        f"{RECEIVER}/DE/MSP", json=body, headers=hub_calls_cpo(hub_cpo)
    )
    assert r.json()["status_code"] == 2001 and field in r.json()["status_message"]
    assert await stored(hub_cpo.cpo, "hubclientinfo", "MSP", "DE", "MSP") is None


async def test_only_a_hub_may_push_client_info(pair: Pair):
    r = await pair.cpo.client.put(f"{RECEIVER}/DE/MSP", json=info(), headers=pair.cpo_headers())
    assert r.status_code == 403  # the interface is for a Hub alone
    assert await stored(pair.cpo, "hubclientinfo", "MSP", "DE", "MSP") is None


async def test_hub_lists_its_client_info_paginated_and_pushes_it(hub_cpo: Pair):
    hub = hub_cpo.emsp
    for i, pid in enumerate(("AAA", "BBB", "CCC")):
        await service.save_local(
            hub.db,
            ClientInfo.model_validate(info("FR", pid, last_updated=f"2026-01-0{i + 1}T00:00:00Z")),
        )
    r = await hub.client.get(f"{SENDER}?limit=2", headers=cpo_calls_hub(hub_cpo))
    assert r.json()["status_code"] == 1000
    assert [c["party_id"] for c in r.json()["data"]] == ["AAA", "BBB"]
    assert r.headers["X-Total-Count"] == "3" and "offset=2" in r.headers["Link"]
    r = await hub.client.get(
        f"{SENDER}?date_from=2026-01-02T00:00:00Z", headers=cpo_calls_hub(hub_cpo)
    )
    assert [c["party_id"] for c in r.json()["data"]] == ["BBB", "CCC"]
    # Each new ClientInfo is pushed (PUT) to the connected CPO by the push worker.
    pushed = await poll(
        lambda: stored(hub_cpo.cpo, "hubclientinfo", "CCC", "FR", "CCC"), lambda s: s is not None
    )
    assert pushed["status"] == "CONNECTED"
