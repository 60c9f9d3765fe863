"""The client's list crawl against scripted peers: Link quirks, retries, timeouts, bad bodies."""

from __future__ import annotations

import asyncio
import base64
import time

import pytest
from starlette.requests import Request
from starlette.responses import Response

from ocpikit.client.ocpi import OcpiClient
from ocpikit.client.peer import ClientOptions
from ocpikit.client.retry import RetryPolicy
from ocpikit.errors import PeerError
from tests import factories
from tests.client.scripted_peer import LIST_PATH, OUR_PARTIES, ScriptedPeer, envelope, scripted_peer

FAST = ClientOptions(retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=2.0))


def locations(n: int) -> list[dict]:
    return [factories.location(f"L{i:03d}", evses=1) for i in range(n)]


async def crawl(peer: ScriptedPeer, *, page_size: int | None = 3, **kw) -> list[str]:
    async with OcpiClient(peer.peer(**kw), OUR_PARTIES, options=FAST) as client:
        return [item.raw["id"] async for item in client.list_locations(page_size=page_size)]


def offsets(peer: ScriptedPeer) -> list[int]:
    return [int(r.query.get("offset", 0)) for r in peer.list_requests()]


async def test_follows_link_headers_to_every_object_with_one_correlation_id():
    async with scripted_peer(items=locations(7)) as peer:
        ids = await crawl(peer)
    assert ids == [f"L{i:03d}" for i in range(7)]
    assert offsets(peer) == [0, 3, 6]
    first = peer.requests[0].headers
    assert first["authorization"] == "Token " + base64.b64encode(b"token-c").decode()
    assert (first["ocpi-from-country-code"], first["ocpi-from-party-id"]) == ("DE", "MSP")
    assert (first["ocpi-to-country-code"], first["ocpi-to-party-id"]) == ("NL", "CPO")
    assert len({r.headers["x-correlation-id"] for r in peer.requests}) == 1
    assert len({r.headers["x-request-id"] for r in peer.requests}) == 3


async def test_missing_link_falls_back_to_offset_and_total_count():
    async with scripted_peer(items=locations(8), link="none") as peer:
        ids = await crawl(peer)
    assert len(ids) == 8 and len(set(ids)) == 8
    assert offsets(peer) == [0, 3, 6]


async def test_relative_link_is_resolved_against_the_page_url():
    async with scripted_peer(items=locations(5), link="relative") as peer:
        ids = await crawl(peer)
    assert len(ids) == 5
    assert offsets(peer) == [0, 3]


async def test_looping_link_is_detected_and_offsets_used_instead():
    async with scripted_peer(items=locations(7), link="loop") as peer:
        ids = await crawl(peer)
    assert sorted(ids) == [f"L{i:03d}" for i in range(7)]
    assert offsets(peer) == [0, 3, 6]


async def test_link_on_every_page_even_the_last_ends_on_the_empty_page():
    async with scripted_peer(items=locations(6), link="always", total_header=False) as peer:
        ids = await crawl(peer)
    assert len(ids) == 6
    assert offsets(peer) == [0, 3, 6]


async def test_link_to_another_host_is_never_followed():
    async with scripted_peer(items=locations(5), link="other-host") as peer:
        ids = await crawl(peer)
    assert len(ids) == 5
    assert all(r.path == LIST_PATH for r in peer.requests)


async def test_server_returning_one_object_per_page():
    async with scripted_peer(items=locations(5), max_limit=1) as peer:
        ids = await crawl(peer, page_size=50)
    assert len(ids) == 5
    assert offsets(peer) == [0, 1, 2, 3, 4]


async def test_link_that_skips_objects_is_corrected():
    # The server caps at 1 per page but links to offset + the asked limit.
    async with scripted_peer(items=locations(4), max_limit=1, link="skips") as peer:
        ids = await crawl(peer, page_size=3)
    assert ids == [f"L{i:03d}" for i in range(4)]


async def test_no_link_and_no_total_count_reads_until_an_empty_page():
    async with scripted_peer(items=locations(7), link="none", total_header=False) as peer:
        ids = await crawl(peer)
    assert len(ids) == 7
    assert offsets(peer) == [0, 3, 6, 7]


async def test_server_ignoring_offset_without_count_stops_on_a_repeated_page():
    def same_page(_request: Request) -> Response:
        return Response(envelope(locations(3)), media_type="application/json")

    async with scripted_peer(link="none", total_header=False) as peer:
        peer.script = [same_page] * 10
        ids = await crawl(peer)
    assert len(ids) == 6  # the repeated page is read once more, then the crawl stops
    assert len(peer.requests) == 2


async def test_server_error_is_retried_then_succeeds():
    def boom(_request: Request) -> Response:
        return Response(b"oops", status_code=500)

    async with scripted_peer(items=locations(2), script=[boom]) as peer:
        ids = await crawl(peer)
    assert len(ids) == 2
    assert len(peer.requests) == 2


async def test_429_waits_for_retry_after():
    def busy(_request: Request) -> Response:
        return Response(envelope(None, 2000), status_code=429, headers={"Retry-After": "1"})

    async with scripted_peer(items=locations(2), script=[busy]) as peer:
        started = time.monotonic()
        ids = await crawl(peer)
        elapsed = time.monotonic() - started
    assert len(ids) == 2
    assert elapsed >= 0.9


async def test_client_errors_are_not_retried():
    def not_found(_request: Request) -> Response:
        return Response(envelope(None, 2000), status_code=404)

    async with scripted_peer(items=locations(2), script=[not_found]) as peer:
        with pytest.raises(PeerError) as caught:
            await crawl(peer)
    assert caught.value.http_status == 404
    assert len(peer.requests) == 1


async def test_bounded_attempts_on_persistent_server_errors():
    def boom(_request: Request) -> Response:
        return Response(envelope(None, 3000), status_code=503)

    async with scripted_peer(items=locations(2), script=[boom] * 5) as peer:
        with pytest.raises(PeerError, match="503"):
            await crawl(peer)
    assert len(peer.requests) == 3


async def test_slow_peer_past_the_timeout_is_a_peer_error():
    async def slow(_request: Request) -> Response:
        await asyncio.sleep(1.0)
        return Response(envelope([]), media_type="application/json")

    options = ClientOptions(
        read_timeout=0.2, deadline=1.0, retry=RetryPolicy(attempts=2, base_delay=0.01)
    )
    async with scripted_peer(script=[slow, slow]) as peer:
        async with OcpiClient(peer.peer(), OUR_PARTIES, options=options) as client:
            with pytest.raises(PeerError, match="did not answer in time"):
                _ = [i async for i in client.list_locations()]
    assert len(peer.requests) == 2


async def test_truncated_json_is_a_peer_error_with_a_clear_message():
    def truncated(_request: Request) -> Response:
        return Response(envelope(locations(2))[:150], media_type="application/json")

    async with scripted_peer(script=[truncated]) as peer:
        with pytest.raises(PeerError, match="not valid JSON"):
            await crawl(peer)


async def test_html_answer_is_a_peer_error():
    def html(_request: Request) -> Response:
        return Response(b"<html>Bad gateway</html>", status_code=200, media_type="text/html")

    async with scripted_peer(script=[html]) as peer:
        with pytest.raises(PeerError, match="not valid JSON"):
            await crawl(peer)


async def test_data_that_is_not_a_list_is_a_peer_error():
    def an_object(_request: Request) -> Response:
        return Response(envelope({"id": "x"}), media_type="application/json")

    async with scripted_peer(script=[an_object]) as peer:
        with pytest.raises(PeerError, match="where a list was expected"):
            await crawl(peer)


async def test_plain_token_peer_gets_the_token_unencoded():
    async with scripted_peer(items=locations(2), plain_only=True) as peer:
        ids = await crawl(peer, encoding="plain")
    assert len(ids) == 2
    assert peer.requests[0].headers["authorization"] == "Token token-c"


async def test_invalid_objects_are_yielded_unusable_and_repairable_ones_repaired():
    bad = factories.location("BAD")
    del bad["coordinates"]
    fixable = factories.location("FIX", evses=2)
    fixable["evses"][1]["status"] = "WHATEVER"
    fixable["directions"] = [{"language": "en"}]  # text missing: optional, dropped
    items = [factories.location("OK"), bad, fixable, "junk"]
    async with scripted_peer(items=items) as peer:
        async with OcpiClient(peer.peer(), OUR_PARTIES, options=FAST) as client:
            got = [i async for i in client.list_locations(page_size=10)]
    assert [i.usable for i in got] == [True, False, True, False]
    assert "coordinates" in got[1].violations[-1]
    repaired = got[2]
    assert repaired.repaired and repaired.model is not None
    assert [e.uid for e in repaired.model.evses or []] == ["FIX-1"]
    assert repaired.model.directions == []
    assert any("evses.1.status" in v for v in repaired.violations)
