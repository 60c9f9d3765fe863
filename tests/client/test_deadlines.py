"""Every call to a peer has a total deadline, not only httpx's per-read timeouts."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from ocpikit.client.http import call, http_client
from ocpikit.client.peer import ClientOptions, PeerClient
from ocpikit.client.retry import RetryPolicy
from ocpikit.errors import PeerError, PeerTimeout
from ocpikit.storage.repositories import Peer, PeerRole
from tests.client.scripted_peer import OUR_PARTIES
from tests.fault_peer import FaultPeer, fault_peer


def record(peer: FaultPeer) -> Peer:
    now = datetime.now(UTC)
    return Peer(
        id=1,
        status="REGISTERED",
        versions_url=f"{peer.url}/ocpi/versions",
        version="2.2.1",
        version_url=f"{peer.url}/ocpi/2.2.1",
        token_out="t",
        token_encoding="base64",
        endpoints=[
            {"identifier": "locations", "role": "SENDER", "url": f"{peer.url}/ocpi/2.2.1/locations"}
        ],
        created_at=now,
        updated_at=now,
        roles=(PeerRole("CPO", "NL", "CPO", {"name": "CPO"}),),
    )


@pytest.mark.parametrize("kind", ["trickle", "silent"])
async def test_call_ends_at_the_deadline_of_the_client_timeout(kind: str):
    async with fault_peer(kind) as peer, http_client(timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(PeerTimeout) as caught:
            await call(client, "PUT", f"{peer.url}/x", token="t", json={"a": 1})
        took = time.monotonic() - started
    assert took < 1.8, took
    assert "did not answer" in caught.value.message
    if kind == "trickle":  # every read got a byte in time: only the deadline ends it
        assert caught.value.message == f"{peer.url}/x did not answer within 1 s"


async def test_call_takes_an_explicit_deadline():
    async with fault_peer("trickle") as peer, http_client(timeout=30.0) as client:
        started = time.monotonic()
        with pytest.raises(PeerTimeout):
            await call(client, "GET", f"{peer.url}/x", token="t", deadline=0.5)
        assert time.monotonic() - started < 1.3


async def test_peer_client_deadline_covers_every_retry():
    options = ClientOptions(
        read_timeout=1.5, retry=RetryPolicy(attempts=10, base_delay=0.01, max_delay=0.02)
    )
    async with fault_peer("trickle") as peer:
        async with PeerClient(record(peer), OUR_PARTIES, options=options) as client:
            started = time.monotonic()
            with pytest.raises(PeerTimeout) as caught:
                await client.request("GET", f"{peer.url}/ocpi/2.2.1/locations")
            took = time.monotonic() - started
    assert took < 2.3, took
    assert "did not answer within 1.5 s" in caught.value.message


async def test_a_retry_after_beyond_the_deadline_is_not_waited_for():
    options = ClientOptions(read_timeout=1.0)
    async with fault_peer("throttle", retry_after=5) as peer:
        async with PeerClient(record(peer), OUR_PARTIES, options=options) as client:
            started = time.monotonic()
            with pytest.raises(PeerError) as caught:
                await client.request("GET", f"{peer.url}/ocpi/2.2.1/locations")
            assert time.monotonic() - started < 1.0
    assert caught.value.http_status == 429
    assert caught.value.retry_after == 5
    assert peer.requests == 1


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("error500", "answered HTTP 500, OCPI 3000"),
        ("truncated", "not valid JSON"),
        ("reset", "cannot reach"),
    ],
)
async def test_broken_answers_are_one_clear_error(kind: str, says: str):
    async with fault_peer(kind) as peer, http_client(timeout=2.0) as client:
        with pytest.raises(PeerError) as caught:
            await call(client, "PUT", f"{peer.url}/x", token="t", json={})
    assert says in caught.value.message
