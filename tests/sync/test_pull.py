"""Pull sync between two real ocpikit nodes: the eMSP pulls the CPO's Sender interfaces."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from ocpikit.client.ocpi import OcpiClient
from ocpikit.client.peer import ClientOptions
from ocpikit.errors import PeerError
from ocpikit.modules.locations import service
from ocpikit.protocol.v221.locations import Location
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ListQuery, ObjectKey, ObjectStore
from ocpikit.storage.repositories import PartyRepository, Peer, PeerRepository
from ocpikit.sync.pull import CLOCK_SKEW, pull, pullable_modules, run_periodic_sync
from ocpikit.sync.pull_store import last_sync
from tests import factories
from tests.support import Pair, RunningNode


class Recorder(httpx.AsyncBaseTransport):
    """A real HTTP transport that remembers every request URL."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.urls: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def cpo_peer(node: RunningNode) -> Peer:
    """The eMSP's record of the CPO."""
    async with node.db.connect() as conn:
        [peer] = await PeerRepository(conn).list()
    return peer


async def client_of(node: RunningNode, transport: httpx.AsyncBaseTransport | None = None):
    async with node.db.connect() as conn:
        parties = await PartyRepository(conn).list()
    return OcpiClient(await cpo_peer(node), parties, options=ClientOptions(), transport=transport)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def save(node: RunningNode, lid: str, *, last_updated: str, **extra) -> None:
    loc = factories.location(lid, last_updated=last_updated, **extra)
    await service.save_local(node.db, Location.model_validate(loc))


async def seed(node: RunningNode, count: int) -> None:
    """Many CPO locations quickly: one transaction, straight into the store."""
    async with node.db.transaction() as conn:
        store = ObjectStore(conn)
        for i in range(count):
            loc = Location.model_validate(factories.location(f"LOC{i:04d}", evses=1))
            key = ObjectKey("locations", "NL", "CPO", loc.id)
            await store.put(key, loc.to_json_bytes(), last_updated=loc.last_updated, is_local=True)


async def stored(node: RunningNode, module: str = "locations") -> dict[str, str]:
    async with node.db.connect() as conn:
        objs = await ObjectStore(conn).all(ListQuery(module=module))
    return {o.key.object_id: o.data for o in objs}


async def test_full_then_incremental_pull_fetches_only_changes(pair: Pair):
    for i in range(5):
        await save(pair.cpo, f"L{i}", last_updated=f"2026-01-0{i + 1}T00:00:00Z")
    peer = await cpo_peer(pair.emsp)
    assert pullable_modules(peer)[0] == "locations"
    recorder = Recorder()
    async with await client_of(pair.emsp, recorder) as client:
        first = await pull(pair.emsp.db, peer, "locations", False, client, page_size=2)
        assert (first.new, first.updated, first.skipped, first.pages) == (5, 0, 0, 3)
        assert first.full  # nothing pulled before: a first pull is a full one
        assert "date_from" not in recorder.urls[0].params
        since = await last_sync(pair.emsp.db, peer.id, "locations")
        assert since is not None

        now = datetime.now(UTC)
        await save(pair.cpo, "L1", last_updated=iso(now), name="Renamed")
        await save(pair.cpo, "L9", last_updated=iso(now))
        recorder.urls.clear()
        second = await pull(pair.emsp.db, peer, "locations", False, client)
    assert (second.new, second.updated, second.unchanged, second.skipped) == (1, 1, 0, 0)
    [url] = recorder.urls
    assert url.params["date_from"] == iso(since - CLOCK_SKEW)
    assert await stored(pair.emsp) == await stored(pair.cpo)
    async with pair.emsp.db.connect() as conn:
        kinds = [e.kind for e in await EventLog(conn).after(0, limit=100)]
    assert kinds.count("location.created") == 6
    assert kinds.count("location.updated") == 1
    assert kinds.count("sync.completed") == 2


async def test_objects_of_a_party_the_peer_does_not_own_are_skipped(pair: Pair):
    await save(pair.cpo, "MINE", last_updated="2026-01-01T00:00:00Z")
    # The CPO node serves a location of a party that is not one of its registered roles.
    await save(pair.cpo, "THEIRS", last_updated="2026-01-01T00:00:00Z", country_code="FR")
    async with await client_of(pair.emsp) as client:
        report = await pull(pair.emsp.db, client.peer, "locations", True, client)
    assert (report.new, report.foreign, report.skipped) == (1, 1, 1)
    assert list(await stored(pair.emsp)) == ["MINE"]


async def test_older_pulled_data_does_not_overwrite_newer(pair: Pair):
    await save(pair.cpo, "L1", last_updated="2026-01-01T00:00:00Z", name="Old")
    peer = await cpo_peer(pair.emsp)
    newer = Location.model_validate(
        factories.location("L1", last_updated="2026-06-01T00:00:00Z", name="Newer")
    )
    async with pair.emsp.db.transaction() as conn:
        await ObjectStore(conn).put(
            ObjectKey("locations", "NL", "CPO", "L1"),
            newer.to_json_bytes(),
            last_updated=newer.last_updated,
            is_local=False,
            peer_id=peer.id,
        )
    async with await client_of(pair.emsp) as client:
        report = await pull(pair.emsp.db, peer, "locations", True, client)
    assert (report.new, report.updated, report.stale) == (0, 0, 1)
    assert orjson.loads((await stored(pair.emsp))["L1"])["name"] == "Newer"


async def test_pulling_500_locations_in_pages_of_50(pair: Pair):
    await seed(pair.cpo, 500)
    pages: list[int] = []
    async with await client_of(pair.emsp) as client:
        report = await pull(
            pair.emsp.db,
            client.peer,
            "locations",
            True,
            client,
            page_size=50,
            on_page=lambda r: pages.append(r.received),
        )
        assert (report.new, report.pages, report.total) == (500, 10, 500)
        assert pages == list(range(50, 501, 50))
        again = await pull(pair.emsp.db, client.peer, "locations", True, client, page_size=50)
    assert (again.new, again.unchanged) == (0, 500)
    assert len(await stored(pair.emsp)) == 500


async def test_full_pull_marks_locations_the_cpo_no_longer_lists_removed(pair: Pair):
    await save(pair.cpo, "STAYS", last_updated="2026-01-01T00:00:00Z")
    await save(pair.cpo, "GOES", last_updated="2026-01-01T00:00:00Z")
    async with await client_of(pair.emsp) as client:
        await pull(pair.emsp.db, client.peer, "locations", True, client)
        async with pair.cpo.db.transaction() as conn:
            await ObjectStore(conn).delete(ObjectKey("locations", "NL", "CPO", "GOES"))
        incremental = await pull(pair.emsp.db, client.peer, "locations", False, client)
        assert incremental.removed == 0  # only a full pull is the new truth
        report = await pull(pair.emsp.db, client.peer, "locations", True, client)
    assert (report.unchanged, report.removed) == (1, 1)
    held = {k: orjson.loads(v) for k, v in (await stored(pair.emsp)).items()}
    assert {e["status"] for e in held["GOES"]["evses"]} == {"REMOVED"}
    assert {e["status"] for e in held["STAYS"]["evses"]} == {"AVAILABLE"}
    async with pair.emsp.db.connect() as conn:
        assert await EventLog(conn).after(0, kind="location.removed")


async def test_invalid_objects_are_skipped_and_repairable_ones_kept(pair: Pair):
    await save(pair.cpo, "GOOD", last_updated="2026-01-01T00:00:00Z")
    broken = factories.location("BROKEN")
    del broken["coordinates"]
    odd = factories.location("ODD", evses=2)
    odd["evses"][0]["status"] = "SLEEPING"
    async with pair.cpo.db.transaction() as conn:
        for raw in (broken, odd):
            await ObjectStore(conn).put(
                ObjectKey("locations", "NL", "CPO", raw["id"]),
                orjson.dumps(raw),
                last_updated=datetime(2026, 1, 1, tzinfo=UTC),
                is_local=True,
            )
    async with await client_of(pair.emsp) as client:
        report = await pull(pair.emsp.db, client.peer, "locations", True, client)
    assert (report.new, report.invalid, report.repaired) == (2, 1, 1)
    held = await stored(pair.emsp)
    assert sorted(held) == ["GOOD", "ODD"]
    assert [e["uid"] for e in orjson.loads(held["ODD"])["evses"]] == ["ODD-2"]


async def test_a_failed_pull_keeps_the_last_sync_time(pair: Pair):
    await save(pair.cpo, "L1", last_updated="2026-01-01T00:00:00Z")
    async with await client_of(pair.emsp) as client:
        await pull(pair.emsp.db, client.peer, "locations", True, client)
    peer = await cpo_peer(pair.emsp)
    before = await last_sync(pair.emsp.db, peer.id, "locations")
    endpoints = [{**e, "url": e["url"] + "/nope"} for e in peer.endpoints]
    bad_peer = replace(peer, endpoints=endpoints)
    async with OcpiClient(bad_peer, []) as client:
        with pytest.raises(PeerError, match="404"):
            await pull(pair.emsp.db, bad_peer, "locations", False, client)
    assert await last_sync(pair.emsp.db, peer.id, "locations") == before


async def test_periodic_sync_pulls_every_sender_module_then_stops(pair: Pair):
    await save(pair.cpo, "L1", last_updated="2026-01-01T00:00:00Z")
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_periodic_sync(pair.emsp.db, 3600, stop, splay_seconds=0, rescan_seconds=0.1)
    )
    peer = await cpo_peer(pair.emsp)
    modules = pullable_modules(peer)
    try:
        for _ in range(300):
            if all([await last_sync(pair.emsp.db, peer.id, m) for m in modules]):
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    assert "L1" in await stored(pair.emsp)
    assert set(modules) >= {"locations", "tariffs", "sessions", "cdrs"}
    for module in modules:
        assert await last_sync(pair.emsp.db, peer.id, module) is not None, module


async def test_sessions_full_pull_sends_date_from(pair: Pair):
    peer = await cpo_peer(pair.emsp)
    if "sessions" not in pullable_modules(peer):
        return
    recorder = Recorder()
    async with await client_of(pair.emsp, recorder) as client:
        report = await pull(pair.emsp.db, peer, "sessions", True, client)
    assert report.new == 0
    assert recorder.urls[0].params["date_from"] == "1970-01-01T00:00:00Z"
    assert datetime.now(UTC) - timedelta(minutes=1) < (
        await last_sync(pair.emsp.db, peer.id, "sessions") or datetime.min.replace(tzinfo=UTC)
    )
