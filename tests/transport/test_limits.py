"""Request limits over real sockets (issue 8, item 7).

Bodies over ``OCPIKIT_MAX_BODY_BYTES`` (default 1 MiB) are a 413, refused from the declared
``Content-Length`` or, for a chunked body, as soon as it passes the limit, before it ends.
URLs and headers that uvicorn refuses before the app are answered in JSON too. The answer is
the OCPI envelope (status 2000) on OCPI paths and ``{"detail": ...}`` under ``/api``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from ocpikit.config import Settings
from ocpikit.transport.limits import MAX_HEAD_BYTES, MAX_URL_BYTES
from tests import factories
from tests.support import Databases, RunningNode, running_node
from tests.versions import ocpi_path

MIB = 1024 * 1024
ADMIN = "Bearer adm"
CREDENTIALS = ocpi_path("2.2.1", "credentials")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict


async def exchange(node: RunningNode, *parts: bytes) -> Answer:
    """Send ``parts`` on a new connection (stopping when the server answers), read the answer."""
    host, port = node.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        for part in parts:
            writer.write(part)
            await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return Answer(int(status_line.split(" ")[1]), headers, json.loads(body))


def request_head(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: test", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunks(total: int, size: int = 64 * 1024) -> list[bytes]:
    """A chunked body of ``total`` bytes, without its terminating chunk (it never ends)."""
    out = []
    while total > 0:
        n = min(size, total)
        out.append(b"%x\r\n" % n + b"a" * n + b"\r\n")
        total -= n
    return out


def assert_envelope(answer: Answer, status: int) -> str:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/json"
    assert answer.body["status_code"] == 2000
    assert answer.body["timestamp"].endswith("Z")
    return str(answer.body["status_message"])


def assert_detail(answer: Answer, status: int) -> str:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/json"
    assert set(answer.body) == {"detail"}
    return str(answer.body["detail"])


@pytest.fixture(params=["httptools", "h11"])
async def node(request: pytest.FixtureRequest, databases: Databases) -> AsyncIterator[RunningNode]:
    """A node with the default limits, served by either of uvicorn's HTTP parsers."""
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], admin_token="adm", http=request.param
    ) as running:
        yield running


def test_the_default_body_limit_is_one_mib_and_configurable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OCPIKIT_MAX_BODY_BYTES", raising=False)
    assert Settings().max_body_bytes == MIB
    monkeypatch.setenv("OCPIKIT_MAX_BODY_BYTES", "4096")
    assert Settings().max_body_bytes == 4096


# ---- bodies -----------------------------------------------------------------------------------


async def test_a_declared_body_over_the_limit_is_413_before_it_is_sent(node: RunningNode):
    token = (await node.token_a()).encode()
    head = request_head(
        "POST",
        CREDENTIALS,
        f"Authorization: {node.auth(token.decode())['Authorization']}",
        "Content-Type: application/json",
        f"Content-Length: {50 * MIB}",
    )
    answer = await exchange(node, head)  # not a byte of the 50 MB body is sent
    message = assert_envelope(answer, 413)
    assert message == f"The request body is larger than the limit of {MIB} bytes"
    assert answer.headers["connection"] == "close"


async def test_a_declared_body_over_the_limit_is_413_detail_on_the_operator_api(
    node: RunningNode,
):
    head = request_head(
        "PUT",
        "/api/locations/NL/CPO/LOC1",
        f"Authorization: {ADMIN}",
        f"Content-Length: {MIB + 1}",
    )
    answer = await exchange(node, head)
    assert assert_detail(answer, 413) == f"The request body is larger than the limit of {MIB} bytes"


async def test_a_chunked_body_is_refused_once_it_passes_the_limit_before_it_ends(
    node: RunningNode,
):
    token = await node.token_a()
    head = request_head(
        "POST",
        CREDENTIALS,
        f"Authorization: {node.auth(token)['Authorization']}",
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
    )
    answer = await exchange(node, head, *chunks(MIB + 64 * 1024))
    assert "larger than the limit" in assert_envelope(answer, 413)


async def test_a_chunked_body_over_the_limit_is_413_detail_on_the_operator_api(node: RunningNode):
    head = request_head(
        "PUT", "/api/locations/NL/CPO/LOC1", f"Authorization: {ADMIN}", "Transfer-Encoding: chunked"
    )
    answer = await exchange(node, head, *chunks(MIB + 64 * 1024))
    assert "larger than the limit" in assert_detail(answer, 413)
    r = await node.client.get("/api/objects/locations", headers={"Authorization": ADMIN})
    assert r.json()["items"] == []


async def test_a_body_of_exactly_the_limit_is_read(node: RunningNode):
    location = factories.location("LOC1")
    padding = MIB - len(json.dumps({**location, "name": ""}).encode())
    body = json.dumps({**location, "name": "x" * padding}).encode()
    assert len(body) == MIB
    r = await node.client.put(
        "/api/locations/NL/CPO/LOC1",
        content=body,
        headers={"Authorization": ADMIN, "Content-Type": "application/json"},
    )
    assert r.status_code == 422  # read and validated: the name is longer than string(255)
    assert any(e["loc"] == ["body", "name"] for e in r.json()["detail"])


async def test_a_client_expecting_100_continue_is_refused_without_sending_the_body(
    node: RunningNode,
):
    token = await node.token_a()
    head = request_head(
        "POST",
        CREDENTIALS,
        f"Authorization: {node.auth(token)['Authorization']}",
        f"Content-Length: {50 * MIB}",
        "Expect: 100-continue",
    )
    answer = await exchange(node, head)  # exchange() would fail on a "100 Continue" first
    assert "larger than the limit" in assert_envelope(answer, 413)


async def test_the_limit_follows_the_setting(databases: Databases):
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], admin_token="adm", max_body_bytes=2048
    ) as small:
        small_location = factories.location("LOC1", evses=1)
        assert len(json.dumps(small_location)) < 2048
        r = await small.client.put(
            "/api/locations/NL/CPO/LOC1", json=small_location, headers={"Authorization": ADMIN}
        )
        assert r.status_code == 201, r.text
        location = factories.location("LOC2", evses=8)
        assert len(json.dumps(location)) > 2048
        r = await small.client.put(
            "/api/locations/NL/CPO/LOC2", json=location, headers={"Authorization": ADMIN}
        )
        assert r.status_code == 413
        assert r.json() == {"detail": "The request body is larger than the limit of 2048 bytes"}


# ---- URLs and headers (refused by uvicorn's parser, before the app) --------------------------


@pytest.mark.parametrize("length", [MAX_URL_BYTES + 1, 100_000])
async def test_a_long_url_is_414_envelope(node: RunningNode, length: int):
    path = "/ocpi/versions?x=" + "a" * (length - len("/ocpi/versions?x="))
    answer = await exchange(node, request_head("GET", path))
    assert assert_envelope(answer, 414) == f"The request URL is longer than {MAX_URL_BYTES} bytes"


async def test_a_long_url_is_414_detail_on_the_operator_api(node: RunningNode):
    answer = await exchange(node, request_head("GET", "/api/peers?x=" + "a" * 100_000))
    assert assert_detail(answer, 414) == f"The request URL is longer than {MAX_URL_BYTES} bytes"


async def test_a_url_within_the_limit_is_served(node: RunningNode):
    token = await node.token_a()
    path = "/ocpi/versions?x=" + "a" * (MAX_URL_BYTES - 100)
    r = await node.client.get(path, headers=node.auth(token))
    assert r.status_code == 200 and r.json()["status_code"] == 1000


async def test_headers_over_the_limit_are_431_envelope(node: RunningNode):
    big = [f"X-Filler-{i}: {'a' * 1000}" for i in range(MAX_HEAD_BYTES // 1000 + 1)]
    answer = await exchange(node, request_head("GET", "/ocpi/versions", *big))
    assert "headers are longer than" in assert_envelope(answer, 431)


async def test_a_malformed_request_is_400_envelope(node: RunningNode):
    answer = await exchange(
        node, b"GET /ocpi/versions HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n"
    )
    assert assert_envelope(answer, 400) == "The request is not valid HTTP/1.1"
