"""The operator API: admin-token auth, plain JSON errors, node information."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support import Databases, RunningNode, running_node

ADMIN = {"Authorization": "Bearer s3cret-admin"}


@pytest.fixture
async def node(databases: Databases) -> AsyncIterator[RunningNode]:
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], admin_token="s3cret-admin"
    ) as running:
        yield running


async def test_node_information(node: RunningNode):
    r = await node.client.get("/api/node", headers=ADMIN)
    assert r.status_code == 200
    body = r.json()
    assert body["versions_url"] == f"{node.url}/ocpi/versions"
    assert body["parties"] == [
        {"country_code": "NL", "party_id": "CPO", "role": "CPO", "name": "CPO"}
    ]
    assert body["outbox"] == {"PENDING": 0, "DONE": 0, "DEAD": 0}
    assert {e["identifier"] for e in body["endpoints"]["2.2.1"]} >= {"credentials", "locations"}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Token s3cret-admin"}]
)
async def test_operator_api_needs_the_admin_token(node: RunningNode, headers: dict[str, str]):
    r = await node.client.get("/api/node", headers=headers)
    assert r.status_code == 401
    assert "detail" in r.json()


async def test_unknown_operator_route_is_plain_404(node: RunningNode):
    r = await node.client.get("/api/nothing", headers=ADMIN)
    assert r.status_code == 404
    assert "detail" in r.json() and "status_code" not in r.json()


async def test_operator_api_is_disabled_without_admin_token(databases: Databases):
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")]) as running:
        r = await running.client.get("/api/node", headers=ADMIN)
        assert r.status_code == 503


async def test_openapi_documents_the_operator_api(node: RunningNode):
    r = await node.client.get("/openapi.json")
    assert "/api/node" in r.json()["paths"]
