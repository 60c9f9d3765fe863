"""Operator API: the outbox (inspect, replay) and the event feed (paging, kinds, long-poll)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import update

from ocpikit.storage.events import EventLog
from ocpikit.storage.schema import outbox
from tests import factories
from tests.operator.conftest import Admin, AdminPair, eventually


async def _delivered(admin: Admin) -> list[dict]:
    body = (await admin.get("/outbox", params={"status": "DONE"})).json()
    return body["messages"]


async def test_outbox_lists_and_replays(admin_pair: AdminPair):
    cpo = admin_pair.cpo
    assert (await cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))).is_success
    [message] = await eventually(lambda: _delivered(cpo))
    assert message["peer_id"] == admin_pair.emsp_peer_id
    assert message["method"] == "PUT" and message["path"] == "/NL/CPO/LOC1"
    assert message["module"] == "locations" and message["attempts"] == 1
    body = (await cpo.get("/outbox", params={"peer": admin_pair.emsp_peer_id})).json()
    assert body["counts"] == {"PENDING": 0, "DONE": 1, "DEAD": 0}
    assert (await cpo.get("/outbox", params={"peer": 99})).json()["messages"] == []

    # a DEAD message (as after too many failures) is queued again and delivered
    async with cpo.node.db.transaction() as conn:
        await conn.execute(update(outbox).where(outbox.c.id == message["id"]).values(status="DEAD"))
    dead = (await cpo.get("/outbox", params={"status": "DEAD"})).json()["messages"]
    assert [m["id"] for m in dead] == [message["id"]]
    r = await cpo.post("/outbox/replay", {"ids": [message["id"], 12345]})
    assert r.status_code == 200
    assert r.json() == {"replayed": 1, "ignored": [12345]}
    again = await eventually(lambda: _delivered(cpo))
    assert again[0]["id"] == message["id"]
    r = await cpo.post("/outbox/replay", {"ids": [message["id"]]})
    assert r.json() == {"replayed": 0, "ignored": [message["id"]]}


async def test_outbox_bad_input(admin_cpo: Admin):
    r = await admin_cpo.get("/outbox", params={"status": "LOST"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "status"]
    r = await admin_cpo.post("/outbox/replay", {"ids": []})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "ids"]
    r = await admin_cpo.post("/outbox/replay", {"ids": ["a"]})
    assert r.status_code == 422


async def _append(admin: Admin, *kinds: str) -> None:
    async with admin.node.db.transaction() as conn:
        log = EventLog(conn)
        for kind in kinds:
            await log.append(kind, kind.split(".")[0] + "s", object_id="X", data={"k": kind})


async def test_event_feed_pages_and_filters(admin_cpo: Admin):
    await _append(admin_cpo, "session.created", "cdr.created", "session.updated")
    page = (await admin_cpo.get("/events", params={"limit": 2})).json()
    assert [e["kind"] for e in page["events"]] == ["session.created", "cdr.created"]
    rest = (await admin_cpo.get("/events", params={"after": page["last_id"]})).json()
    assert [e["kind"] for e in rest["events"]] == ["session.updated"]
    assert rest["events"][0]["data"] == {"k": "session.updated"}
    empty = (await admin_cpo.get("/events", params={"after": rest["last_id"]})).json()
    assert empty == {"events": [], "last_id": rest["last_id"]}
    sessions = (await admin_cpo.get("/events", params={"kind": "session.*"})).json()
    assert [e["kind"] for e in sessions["events"]] == ["session.created", "session.updated"]
    cdrs = (await admin_cpo.get("/events", params={"kind": "cdr.created"})).json()
    assert [e["kind"] for e in cdrs["events"]] == ["cdr.created"]


async def test_event_feed_long_polls(admin_cpo: Admin):
    started = time.monotonic()
    waiting = asyncio.create_task(admin_cpo.get("/events", params={"wait": 10}))
    await asyncio.sleep(0.5)
    assert not waiting.done()
    await _append(admin_cpo, "cdr.created")
    page = (await waiting).json()
    assert [e["kind"] for e in page["events"]] == ["cdr.created"]
    assert time.monotonic() - started < 5
    quiet = time.monotonic()
    r = await admin_cpo.get("/events", params={"after": page["last_id"], "wait": 0.3})
    assert r.json()["events"] == [] and time.monotonic() - quiet >= 0.3


async def test_event_feed_bad_input(admin_cpo: Admin):
    for params, field in (
        ({"after": -1}, "after"),
        ({"wait": 99}, "wait"),
        ({"limit": 0}, "limit"),
    ):
        r = await admin_cpo.get("/events", params=params)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", field]
