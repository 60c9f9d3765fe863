"""Fixtures of the operator API tests: nodes with an admin token, registered through the API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support import Databases, RunningNode, running_node

CPO_ADMIN = {"Authorization": "Bearer cpo-admin"}
EMSP_ADMIN = {"Authorization": "Bearer emsp-admin"}


@dataclass
class Admin:
    """A running node and its operator API (``/api``) with the admin token."""

    node: RunningNode
    headers: dict[str, str]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.node.client

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(f"/api{path}", headers=self.headers, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.post(f"/api{path}", json=json, headers=self.headers, **kw)

    async def put(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.put(f"/api{path}", json=json, headers=self.headers, **kw)

    async def patch(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.patch(f"/api{path}", json=json, headers=self.headers, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.delete(f"/api{path}", headers=self.headers, **kw)


@dataclass
class AdminPair:
    """A CPO node (NL:CPO) and an eMSP node (DE:MSP), registered through the operator API."""

    cpo: Admin
    emsp: Admin
    cpo_peer_id: int  # the CPO, as a peer of the eMSP
    emsp_peer_id: int  # the eMSP, as a peer of the CPO


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 10.0, interval: float = 0.05
) -> Any:
    """Call ``check`` until it returns something truthy (then return it), or fail."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached within {timeout} s: last {result!r}")
        await asyncio.sleep(interval)


@pytest.fixture
async def admin_cpo(databases: Databases) -> AsyncIterator[Admin]:
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], admin_token="cpo-admin", simulator=True
    ) as node:
        yield Admin(node, CPO_ADMIN)


@pytest.fixture
async def admin_emsp(databases: Databases) -> AsyncIterator[Admin]:
    async with running_node(
        await databases.new(), [("DE", "MSP", "EMSP")], admin_token="emsp-admin"
    ) as node:
        yield Admin(node, EMSP_ADMIN)


@pytest.fixture
async def admin_pair(admin_cpo: Admin, admin_emsp: Admin) -> AdminPair:
    issued = await admin_cpo.post("/tokens/registration", {"label": "the eMSP"})
    assert issued.status_code == 201, issued.text
    registered = await admin_emsp.post(
        "/peers",
        {"versions_url": issued.json()["versions_url"], "token": issued.json()["token"]},
    )
    assert registered.status_code == 201, registered.text
    [emsp_side] = (await admin_cpo.get("/peers")).json()
    return AdminPair(
        cpo=admin_cpo,
        emsp=admin_emsp,
        cpo_peer_id=registered.json()["id"],
        emsp_peer_id=emsp_side["id"],
    )
