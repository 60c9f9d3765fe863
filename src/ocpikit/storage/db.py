"""Database engine and connection handling for SQLite (default) and PostgreSQL.

Users give plain URLs (``sqlite:///path.db``, ``postgresql://user@host:port/db``); this module
maps them to the async drivers (aiosqlite, asyncpg). SQLite runs in WAL mode with a busy
timeout so that the CLI and a running ``serve`` can share one file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from ocpikit.storage.inline import InlineReader

__all__ = ["Database", "async_url", "is_sqlite"]


def async_url(url: str) -> URL:
    """Map a user-facing database URL to its async driver URL.

    Raises:
        ValueError: for a URL that is neither SQLite nor PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def is_sqlite(url: str | URL) -> bool:
    return make_url(str(url) if isinstance(url, URL) else url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is turned off: _sqlite_begin issues it, so that write
    # transactions take SQLite's write lock up front (BEGIN IMMEDIATE) and wait for it
    # (busy_timeout) instead of failing when another writer committed since their first read.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("ocpikit_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_events(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)


_IN_WRITE: ContextVar[bool] = ContextVar("ocpikit_in_sqlite_write", default=False)


class Database:
    """One async engine per process; connections are taken per unit of work."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        target = async_url(url)
        self.is_sqlite = target.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            # One file shared by processes: keep a few connections, never across loops.
            kwargs["pool_size"] = 5
            kwargs["max_overflow"] = 5
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size
            kwargs["pool_pre_ping"] = True
        self.engine: AsyncEngine = create_async_engine(target, **kwargs)
        self._write_lock = asyncio.Lock()
        self.reader: InlineReader | None = None
        if self.is_sqlite:
            _sqlite_events(self.engine)
            self.reader = InlineReader(target)

    @classmethod
    def unpooled(cls, url: str) -> Database:
        """A database handle for short-lived CLI commands (no pool kept between calls)."""
        db = cls.__new__(cls)
        db.url = url
        target = async_url(url)
        db.is_sqlite = target.get_backend_name() == "sqlite"
        db.engine = create_async_engine(target, poolclass=NullPool)
        db._write_lock = asyncio.Lock()
        db.reader = None
        if db.is_sqlite:
            _sqlite_events(db.engine)
        return db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one transaction: committed on success, rolled back on error.

        On SQLite it is a write transaction from its first statement (BEGIN IMMEDIATE), and
        the writers of this process take turns on an asyncio lock: SQLite admits one writer
        at a time anyway, and its busy handler waits in sleeps of up to 100 ms where the lock
        wakes the next writer at once. Other processes still wait on SQLite's own lock.

        Raises:
            RuntimeError: for a write transaction opened inside another one of this task on
                SQLite (it could never get the lock).
        """
        if not self.is_sqlite:
            async with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        if _IN_WRITE.get():
            raise RuntimeError("nested write transaction on SQLite")
        async with self._write_lock, self.engine.connect() as conn:
            token = _IN_WRITE.set(True)
            try:
                await conn.execution_options(ocpikit_write=True)
                async with conn.begin():
                    yield conn
            finally:
                _IN_WRITE.reset(token)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads (autocommit-like: nothing is written)."""
        async with self.engine.connect() as conn:
            yield conn

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        await self.engine.dispose()
