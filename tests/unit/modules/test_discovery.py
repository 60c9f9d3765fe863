"""Discovery of a peer's API: which token encoding the chosen version is called with."""

from __future__ import annotations

import base64

import httpx

from ocpikit.client.http import PeerHttp
from ocpikit.modules.credentials.discovery import discover

TOKEN = "token-a-0123456789"
BASE = "http://peer.test/ocpi"


def _peer(version: str, seen: list[str]) -> httpx.MockTransport:
    """A peer offering ``version`` alone; its versions URL takes the token in either encoding
    (as extrawest-ocpi's does), its version details only as that version prescribes."""
    plain = f"Token {TOKEN}"
    encoded = f"Token {base64.b64encode(TOKEN.encode()).decode()}"
    prescribed = plain if version == "2.1.1" else encoded

    def handle(request: httpx.Request) -> httpx.Response:
        auth = request.headers["Authorization"]
        seen.append(f"{request.url.path} {'plain' if auth == plain else 'base64'}")
        if request.url.path == "/ocpi/versions" and auth in (plain, encoded):
            data: object = [{"version": version, "url": f"{BASE}/{version}/details"}]
        elif request.url.path == f"/ocpi/{version}/details" and auth == prescribed:
            endpoint = {"identifier": "credentials", "url": f"{BASE}/{version}/credentials"}
            if version != "2.1.1":
                endpoint["role"] = "RECEIVER"
            data = {"version": version, "endpoints": [endpoint]}
        else:
            return httpx.Response(401, json={"detail": "Unauthorized"})
        return httpx.Response(200, json={"status_code": 1000, "data": data})

    return httpx.MockTransport(handle)


async def test_211_details_are_asked_with_a_plain_token_though_versions_took_base64() -> None:
    seen: list[str] = []
    async with httpx.AsyncClient(transport=_peer("2.1.1", seen)) as client:
        api = await discover(PeerHttp(client, TOKEN, probe_encoding=True), f"{BASE}/versions")
    assert (api.version, api.token_encoding) == ("2.1.1", "plain")
    assert seen == ["/ocpi/versions base64", "/ocpi/2.1.1/details plain"]


async def test_211_caller_is_called_plain_from_the_first_request() -> None:
    seen: list[str] = []
    async with httpx.AsyncClient(transport=_peer("2.1.1", seen)) as client:
        http = PeerHttp(client, TOKEN, probe_encoding=True)
        api = await discover(http, f"{BASE}/versions", version="2.1.1")
    assert api.token_encoding == "plain"
    assert seen == ["/ocpi/versions plain", "/ocpi/2.1.1/details plain"]


async def test_221_keeps_base64() -> None:
    seen: list[str] = []
    async with httpx.AsyncClient(transport=_peer("2.2.1", seen)) as client:
        api = await discover(PeerHttp(client, TOKEN, probe_encoding=True), f"{BASE}/versions")
    assert (api.version, api.token_encoding) == ("2.2.1", "base64")
    assert seen == ["/ocpi/versions base64", "/ocpi/2.2.1/details base64"]
