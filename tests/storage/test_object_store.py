"""Contract of the object store, on both backends, and of the inline SQLite read path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from ocpikit.storage.db import Database
from ocpikit.storage.objects import ListQuery, ObjectKey, ObjectStore
from tests.support import Databases, initialise

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    url = await databases.new()
    await initialise(url, "http://127.0.0.1:1", [("NL", "CPO", "CPO")])
    database = Database(url)
    yield database
    await database.close()


def key(oid: str, cc: str = "NL", pid: str = "CPO", module: str = "locations") -> ObjectKey:
    return ObjectKey(module, cc, pid, oid)


async def put(db: Database, oid: str, hours: int = 0, **kwargs) -> str:
    data = orjson.dumps({"id": oid, "hours": hours}).decode()
    async with db.transaction() as conn:
        result = await ObjectStore(conn).put(
            key(oid, **{k: kwargs.pop(k) for k in ("cc", "pid") if k in kwargs}),
            data,
            last_updated=T0 + timedelta(hours=hours),
            is_local=kwargs.pop("is_local", True),
            **kwargs,
        )
    return result.outcome


async def page(
    db: Database, query: ListQuery, offset: int = 0, limit: int = 100
) -> tuple[int, list[str]]:
    async with db.connect() as conn:
        store = ObjectStore(conn)
        return await store.count(query), await store.page(query, offset=offset, limit=limit)


async def test_put_creates_updates_and_refuses_older(db: Database):
    assert await put(db, "A", 2) == "created"
    assert await put(db, "A", 3) == "updated"
    assert await put(db, "A", 1) == "stale"
    assert await put(db, "A", 1, allow_older=True) == "updated"
    assert await put(db, "A", 9, create_only=True) == "exists"
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(key("A"))
    assert stored is not None and stored.parsed()["hours"] == 1


async def test_keys_are_case_insensitive(db: Database):
    await put(db, "loc-1", cc="nl", pid="cpo")
    async with db.connect() as conn:
        found = await ObjectStore(conn).get(key("LOC-1"))
    assert found is not None and found.parsed()["id"] == "loc-1"


async def test_date_from_is_inclusive_and_date_to_exclusive(db: Database):
    for h in range(5):
        await put(db, f"L{h}", h)
    query = ListQuery(
        module="locations", date_from=T0 + timedelta(hours=1), date_to=T0 + timedelta(hours=3)
    )
    total, items = await page(db, query)
    assert total == 2
    assert [orjson.loads(i)["id"] for i in items] == ["L1", "L2"]


async def test_pages_are_in_creation_order_whatever_the_updates(db: Database):
    for oid in ("A", "B", "C"):
        await put(db, oid, 1)
    await put(db, "A", 5)  # updated later, stays first
    _, items = await page(db, ListQuery(module="locations"))
    assert [orjson.loads(i)["id"] for i in items] == ["A", "B", "C"]


async def test_filters_on_origin_publication_owner_and_audience(db: Database):
    await put(db, "MINE")
    await put(db, "HIDDEN", published=False)
    await put(db, "THEIRS", is_local=False, cc="DE", pid="XYZ")
    await put(db, "SEEN", audience=("DE", "MSP"))
    assert (await page(db, ListQuery(module="locations", is_local=True, published_only=True)))[
        0
    ] == 2
    assert (await page(db, ListQuery(module="locations", is_local=False)))[0] == 1
    assert (await page(db, ListQuery(module="locations", owners=[("de", "xyz")])))[0] == 1
    assert (await page(db, ListQuery(module="locations", audience=[("DE", "MSP")])))[0] == 1


async def test_inline_reader_answers_like_the_async_path(db: Database):
    if db.reader is None:
        pytest.skip("the inline reader exists on SQLite only; PostgreSQL uses the async path")
    for h in range(30):
        await put(db, f"L{h:02d}", h)
    query = ListQuery(module="locations", is_local=True, published_only=True)
    for offset, limit in ((0, 10), (10, 10), (25, 10), (30, 10), (5, 0)):
        assert db.reader.page(query, offset=offset, limit=limit) == await page(
            db, query, offset, limit
        )


async def test_inline_reader_sees_writes_of_other_connections_at_once(db: Database):
    if db.reader is None:
        pytest.skip("the inline reader exists on SQLite only; PostgreSQL uses the async path")
    query = ListQuery(module="locations")
    await put(db, "A")
    assert db.reader.page(query, offset=0, limit=10)[0] == 1
    other = Database.unpooled(db.url)  # as another process would
    async with other.transaction() as conn:
        await ObjectStore(conn).put(key("B"), "{}", last_updated=T0, is_local=True)
    await other.close()
    total, items = db.reader.page(query, offset=0, limit=10)
    assert total == 2 and items[-1] == "{}"


async def test_inline_reader_answers_like_the_async_path_for_interleaved_lists(db: Database):
    # Pages read by the span of their row ids and pages whose rows lie far apart (read by id).
    if db.reader is None:
        pytest.skip("the inline reader exists on SQLite only; PostgreSQL uses the async path")
    for h in range(60):
        await put(db, f"L{h:02d}", h, published=h % 3 != 0, is_local=h < 50)
        if h % 4 == 0:
            for n in range(12):
                async with db.transaction() as conn:
                    await ObjectStore(conn).put(
                        key(f"T{h:02d}-{n}", module="tokens"), "{}", last_updated=T0, is_local=False
                    )
    queries = [
        ListQuery(module="locations"),
        ListQuery(module="locations", is_local=True),
        ListQuery(module="locations", is_local=True, published_only=True),
        ListQuery(module="locations", is_local=False),
        ListQuery(module="locations", date_from=T0 + timedelta(hours=10)),
        ListQuery(module="tokens"),
    ]
    for query in queries:
        for offset, limit in ((0, 7), (7, 7), (0, 100), (20, 3), (45, 10), (90, 5)):
            assert db.reader.page(query, offset=offset, limit=limit) == await page(
                db, query, offset, limit
            ), (query, offset, limit)
