"""Every failure is an OCPI envelope with the right HTTP status (issue: foundation, item 2)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ocpikit.transport.auth import authorization_header
from tests.support import CPO_PARTY, Databases, RunningNode, running_node
from tests.transport import probe
from tests.versions import details_path, ocpi_path

# The HTTP surface of the node, through 2.2.1 URLs (the probe interface is in every version).
PROBE = ocpi_path("2.2.1", "probe", "SENDER")


@pytest.fixture
async def node(databases: Databases) -> AsyncIterator[RunningNode]:
    async with running_node(
        await databases.new(),
        [("NL", "CPO", "CPO")],
        interfaces=probe.interfaces(),
        page_limit_max=10,
    ) as running:
        yield running


@pytest.fixture
async def peer_node(databases: Databases) -> AsyncIterator[RunningNode]:
    async with running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as running:
        yield running


@pytest.fixture
async def peer_token(node: RunningNode, peer_node: RunningNode) -> str:
    """Register peer_node with node; return the token peer_node uses to call node."""
    from ocpikit.modules.credentials.service import register_with_peer

    peer = await register_with_peer(
        peer_node.db, peer_node.client, versions_url=node.versions_url, token_a=await node.token_a()
    )
    assert peer.token_out
    return peer.token_out


def assert_envelope(body: dict, status_code: int) -> None:
    assert body["status_code"] == status_code
    assert body["timestamp"].endswith("Z")
    assert isinstance(body.get("status_message"), str)


async def test_missing_authorization_is_401_envelope(node: RunningNode):
    r = await node.client.get("/ocpi/versions")
    assert r.status_code == 401
    assert_envelope(r.json(), 2000)


async def test_unknown_token_is_401(node: RunningNode):
    r = await node.client.get("/ocpi/versions", headers=node.auth("no-such-token"))
    assert r.status_code == 401
    assert_envelope(r.json(), 2000)


async def test_token_a_is_accepted_base64_and_plain_on_versions(node: RunningNode):
    token = await node.token_a()
    for encoding in ("base64", "plain"):
        r = await node.client.get("/ocpi/versions", headers=node.auth(token, encoding))
        assert r.status_code == 200
        assert r.json()["data"] == [
            {"version": "2.2.1", "url": f"{node.url}{details_path('2.2.1')}"},
            {"version": "2.1.1", "url": f"{node.url}{details_path('2.1.1', CPO_PARTY)}"},
        ]


async def test_token_a_outside_versions_and_credentials_is_401(node: RunningNode):
    token = await node.token_a()
    r = await node.client.get(PROBE, headers=node.auth(token))
    assert r.status_code == 401
    assert_envelope(r.json(), 2000)


async def test_unknown_route_is_404_envelope(node: RunningNode):
    r = await node.client.get(
        f"{details_path('2.2.1')}/nothing-here", headers=node.auth(await node.token_a())
    )
    assert r.status_code == 404
    assert_envelope(r.json(), 2000)


async def test_unknown_version_details_is_404(node: RunningNode):
    r = await node.client.get("/ocpi/9.9", headers=node.auth(await node.token_a()))
    assert r.status_code == 404
    assert_envelope(r.json(), 2000)


async def test_wrong_method_is_405_envelope(node: RunningNode):
    r = await node.client.patch("/ocpi/versions", headers=node.auth(await node.token_a()))
    assert r.status_code == 405
    assert_envelope(r.json(), 2000)


async def test_request_and_correlation_ids_are_echoed(node: RunningNode):
    r = await node.client.get(
        "/ocpi/versions", headers={"X-Request-ID": "req-1", "X-Correlation-ID": "corr-1"}
    )
    assert r.headers["X-Request-ID"] == "req-1"
    assert r.headers["X-Correlation-ID"] == "corr-1"


async def test_request_ids_are_generated_when_absent(node: RunningNode):
    r = await node.client.get("/ocpi/versions")
    assert len(r.headers["X-Request-ID"]) == 36
    assert len(r.headers["X-Correlation-ID"]) == 36


async def test_version_details_list_exactly_the_mounted_interfaces(node: RunningNode):
    r = await node.client.get(details_path("2.2.1"), headers=node.auth(await node.token_a()))
    endpoints = r.json()["data"]["endpoints"]
    offered = {
        (i.module, i.role)
        for i in probe.interfaces()
        if not i.offered_by or "CPO" in i.offered_by  # the node has one CPO party
    }
    assert {(e["identifier"], e["role"]) for e in endpoints} == offered
    assert ("locations", "SENDER") in offered and ("locations", "RECEIVER") not in offered
    for endpoint in endpoints:
        assert endpoint["url"].startswith(node.url)


async def test_every_listed_sender_endpoint_is_served(node: RunningNode, peer_token: str):
    r = await node.client.get(details_path("2.2.1"), headers=node.auth(peer_token))
    for endpoint in r.json()["data"]["endpoints"]:
        if endpoint["role"] == "SENDER" and endpoint["identifier"] not in ("commands",):
            path = endpoint["url"].removeprefix(node.url)
            query = (
                "?date_from=2020-01-01T00:00:00Z" if endpoint["identifier"] == "sessions" else ""
            )
            served = await node.client.get(path + query, headers=node.auth(peer_token))
            assert served.status_code == 200, (endpoint, served.text)


async def test_registered_peer_pages_with_headers_and_routing(node: RunningNode, peer_token: str):
    headers = {
        **node.auth(peer_token),
        "OCPI-from-country-code": "DE",
        "OCPI-from-party-id": "MSP",
        "OCPI-to-country-code": "NL",
        "OCPI-to-party-id": "CPO",
    }
    r = await node.client.get(f"{PROBE}?limit=50", headers=headers)
    assert r.status_code == 200
    assert r.json()["data"] == list(range(10))
    assert r.headers["X-Limit"] == "10"
    assert r.headers["X-Total-Count"] == "25"
    assert r.headers["Link"] == (f'<{node.url}{PROBE}?offset=10&limit=10>; rel="next"')
    assert r.headers["OCPI-to-party-id"] == "MSP"
    assert r.headers["OCPI-from-party-id"] == "CPO"


@pytest.mark.parametrize(
    "headers",
    [
        {"OCPI-from-country-code": "DE"},
        {"OCPI-to-country-code": "DEU", "OCPI-to-party-id": "MSP"},
        {"OCPI-from-country-code": "DE", "OCPI-from-party-id": "TOOLONG"},
    ],
)
async def test_malformed_routing_headers_are_2001(
    node: RunningNode, peer_token: str, headers: dict[str, str]
):
    r = await node.client.get(PROBE, headers={**node.auth(peer_token), **headers})
    assert r.status_code == 200
    assert_envelope(r.json(), 2001)


async def test_non_json_body_is_400(node: RunningNode, peer_token: str):
    r = await node.client.put(
        f"{PROBE}/1",
        content=b"{not json",
        headers={**node.auth(peer_token), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert_envelope(r.json(), 2001)


async def test_bad_pagination_parameter_is_2001(node: RunningNode, peer_token: str):
    r = await node.client.get(f"{PROBE}?offset=-3", headers=node.auth(peer_token))
    assert r.status_code == 200
    assert_envelope(r.json(), 2001)
    assert "offset" in r.json()["status_message"]


async def test_token_header_with_wrong_scheme_is_401(node: RunningNode, peer_token: str):
    r = await node.client.get(PROBE, headers={"Authorization": f"Bearer {peer_token}"})
    assert r.status_code == 401


async def test_peer_token_works_plain_too(node: RunningNode, peer_token: str):
    r = await node.client.get(
        PROBE,
        headers={"Authorization": authorization_header(peer_token, "plain")},
    )
    assert r.status_code == 200
