"""The webhook dispatcher: signed POSTs of each new event, in order, retried, never repeated."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ocpikit.operator.webhooks import sign
from ocpikit.storage.events import EventLog
from ocpikit.storage.repositories import ConfigRepository
from tests import factories
from tests.operator.conftest import Admin, eventually
from tests.support import Databases, RunningNode, free_port, running_node

SECRET = "webhook-secret"


@dataclass
class Receiver:
    """A small webhook receiver on loopback; answers 500 to the first ``fail`` requests."""

    url: str
    fail: int = 0
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    @property
    def accepted(self) -> list[dict]:
        return [orjson.loads(body) for _, body in self.requests[self.fail :]]


@asynccontextmanager
async def receiver(fail: int = 0) -> AsyncIterator[Receiver]:
    port = free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}/hook", fail=fail)

    async def hook(request: Request) -> Response:
        state.requests.append((dict(request.headers), await request.body()))
        return Response(status_code=500 if len(state.requests) <= state.fail else 204)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield state
    finally:
        server.should_exit = True
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)


@asynccontextmanager
async def webhook_node(url: str, hook: Receiver) -> AsyncIterator[RunningNode]:
    async with running_node(
        url,
        [("NL", "CPO", "CPO")],
        admin_token="cpo-admin",
        webhook_url=hook.url,
        webhook_secret=SECRET,
    ) as node:
        yield node


async def _append(node: RunningNode, *kinds: str) -> list[int]:
    async with node.db.transaction() as conn:
        return [
            await EventLog(conn).append(k, "sessions", country_code="NL", object_id=f"S{i}")
            for i, k in enumerate(kinds)
        ]


def _valid_signature(headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers["x-ocpikit-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(headers["x-ocpikit-signature"], f"sha256={expected.hexdigest()}")


async def test_events_are_posted_signed_and_in_order(databases: Databases):
    async with receiver() as hook, webhook_node(await databases.new(), hook) as node:
        ids = await _append(node, "session.created", "session.updated", "cdr.created")
        await eventually(lambda: _ready(hook, 3))
        assert [e["id"] for e in hook.accepted] == ids
        assert [e["kind"] for e in hook.accepted] == [
            "session.created",
            "session.updated",
            "cdr.created",
        ]
        headers, body = hook.requests[0]
        assert headers["content-type"] == "application/json"
        assert headers["x-ocpikit-event-id"] == str(ids[0])
        assert headers["x-ocpikit-event-kind"] == "session.created"
        assert all(_valid_signature(h, b) for h, b in hook.requests)
        event = orjson.loads(body)
        assert set(event) == {
            "id",
            "kind",
            "module",
            "country_code",
            "party_id",
            "object_id",
            "peer_id",
            "data",
            "created_at",
        }
        # the same events as the feed
        feed = await node.client.get("/api/events", headers={"Authorization": "Bearer cpo-admin"})
        assert feed.json()["events"] == hook.accepted


async def _cursor_is(node: RunningNode, event_id: int) -> bool:
    async with node.db.connect() as conn:
        return await ConfigRepository(conn).get("webhook:cursor") == str(event_id)


async def _ready(hook: Receiver, n: int) -> bool:
    return len(hook.accepted) >= n


async def test_a_failed_delivery_is_retried_before_the_next_event(databases: Databases):
    async with receiver(fail=2) as hook, webhook_node(await databases.new(), hook) as node:
        first, second = await _append(node, "cdr.created", "session.created")
        await eventually(lambda: _ready(hook, 2))
        sent = [orjson.loads(body)["id"] for _, body in hook.requests]
        assert sent == [first, first, first, second]
        assert all(_valid_signature(h, b) for h, b in hook.requests)


async def test_a_restart_does_not_deliver_again(databases: Databases):
    url = await databases.new()
    async with receiver() as hook:
        async with webhook_node(url, hook) as node:
            ids = await _append(node, "session.created", "session.updated")
            await eventually(lambda: _ready(hook, 2))
            await eventually(lambda: _cursor_is(node, ids[-1]))  # moved after the delivery
        # an event while the node is down is delivered after the restart, the others not
        async with running_node(url, [("NL", "CPO", "CPO")]) as stopped:
            [while_down] = await _append(stopped, "cdr.created")
        async with webhook_node(url, hook) as node:
            [after] = await _append(node, "session.created")
            await eventually(lambda: _ready(hook, 4))
            await asyncio.sleep(0.8)  # more than one poll: nothing else comes
        assert [e["id"] for e in hook.accepted] == [*ids, while_down, after]


async def test_the_first_start_delivers_only_new_events(databases: Databases):
    url = await databases.new()
    async with running_node(url, [("NL", "CPO", "CPO")]) as plain:
        await _append(plain, "session.created")
    async with receiver() as hook, webhook_node(url, hook) as node:
        [new] = await _append(node, "cdr.created")
        await eventually(lambda: _ready(hook, 1))
        await asyncio.sleep(0.8)
        assert [e["id"] for e in hook.accepted] == [new]


async def test_received_objects_reach_the_webhook(databases: Databases):
    """An eMSP learns of a pushed location through its webhook."""
    async with receiver() as hook:
        async with (
            running_node(
                await databases.new(), [("NL", "CPO", "CPO")], admin_token="cpo-admin"
            ) as cpo_node,
            running_node(
                await databases.new(),
                [("DE", "MSP", "EMSP")],
                admin_token="emsp-admin",
                webhook_url=hook.url,
            ) as emsp_node,
        ):
            cpo = Admin(cpo_node, {"Authorization": "Bearer cpo-admin"})
            emsp = Admin(emsp_node, {"Authorization": "Bearer emsp-admin"})
            token = (await cpo.post("/tokens/registration")).json()["token"]
            registered = await emsp.post(
                "/peers", {"versions_url": cpo_node.versions_url, "token": token}
            )
            assert registered.status_code == 201
            assert (await cpo.put("/locations/NL/CPO/LOC1", factories.location())).is_success
            await eventually(lambda: _ready(hook, 1))
            [event] = hook.accepted
            assert event["kind"] == "location.created"
            assert (event["country_code"], event["party_id"], event["object_id"]) == (
                "NL",
                "CPO",
                "LOC1",
            )
            assert "x-ocpikit-signature" not in hook.requests[0][0]  # no secret: unsigned


def test_sign_matches_the_documented_scheme():
    body = b'{"id":1}'
    value = sign(SECRET, "1700000000", body)
    assert _valid_signature(
        {"x-ocpikit-timestamp": "1700000000", "x-ocpikit-signature": value}, body
    )
