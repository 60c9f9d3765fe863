"""Inline SQLite reads for the hot paths: token lookup and Sender list pages.

aiosqlite runs every statement on a helper thread, and SQLAlchemy builds and caches each
statement per call; for the few sub-millisecond reads that every OCPI request makes (who is
calling, which page) that costs more than the query itself. On SQLite the node therefore
answers those reads on the event loop thread, through one read-only ``sqlite3`` connection of
its own. The SQL is compiled once per query shape from the same SQLAlchemy builders the
async path uses (``resolve_query``, ``count_query``, ``page_query``), so each query has one
definition. Writes, and everything on PostgreSQL, stay on the async engine.

For each list query the reader keeps the ordered row ids of its matches, valid while
``PRAGMA data_version`` is unchanged (it changes whenever any other connection, another
process included, commits). That gives ``X-Total-Count`` without counting, and lets a page at
any ``offset`` be read by seeking to its first row id instead of skipping ``offset`` rows.
Lists larger than ``MAX_CACHED_IDS`` fall back to COUNT and OFFSET.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL

from ocpikit.storage.objects import ListQuery, count_query, ids_query, page_query, seek_query
from ocpikit.storage.repositories import AuthRecord, auth_record, resolve_query

__all__ = ["InlineReader"]

_DIALECT = sqlite_dialect.dialect(paramstyle="qmark")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_CACHED_IDS = 200_000


class _Compiled:
    """A statement compiled to SQLite SQL, with its parameter order and type processors."""

    def __init__(self, statement: Select[Any]) -> None:
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        self.sql = compiled.string
        self.names: list[str] = list(compiled.positiontup or [])
        self.defaults = compiled.params
        # Private but stable SQLAlchemy attributes: the type conversions it would apply.
        self.binds: dict[str, Callable[[Any], Any]] = {
            k: v for k, v in (compiled._bind_processors or {}).items() if callable(v)
        }
        columns = compiled._result_columns
        self.index = {c.keyname: i for i, c in enumerate(columns)}
        self.results = [c.type._cached_result_processor(_DIALECT, None) for c in columns]

    def bind(self, values: dict[str, Any]) -> list[Any]:
        out = []
        for name in self.names:
            value = values[name] if name in values else self.defaults[name]
            processor = self.binds.get(name)
            out.append(processor(value) if processor else value)
        return out

    def rows(self, conn: sqlite3.Connection, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        raw = conn.execute(self.sql, self.bind(values)).fetchall()
        if not any(self.results):
            return raw
        procs = self.results
        return [tuple(p(v) if p else v for p, v in zip(procs, r, strict=True)) for r in raw]


class _Row:
    """Attribute access over a plain row, as SQLAlchemy's Row gives (for ``auth_record``)."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple[Any, ...]) -> None:
        self._index = index
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None


def _shape(query: ListQuery) -> tuple[Any, ...]:
    return (
        query.module,
        query.is_local,
        query.peer_id,
        tuple(query.audience) if query.audience is not None else None,
        tuple(query.owners) if query.owners is not None else None,
        query.published_only,
        query.date_from is not None,
        query.date_to is not None,
    )


class InlineReader:
    """Synchronous reads on one SQLite connection, used from the event loop thread only."""

    def __init__(self, url: URL) -> None:
        self.path = url.database or ""
        self._conn: sqlite3.Connection | None = None
        self._statements: dict[tuple[Any, ...], _Compiled] = {}
        # (shape, dates) -> (data_version, total, ordered row ids or None when too many)
        self._ids: dict[tuple[Any, ...], tuple[int, int, list[int] | None]] = {}

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA query_only=ON")
            self._conn = conn
        return self._conn

    def _compiled(self, key: tuple[Any, ...], build: Callable[[], Select[Any]]) -> _Compiled:
        compiled = self._statements.get(key)
        if compiled is None:
            if len(self._statements) > 2000:
                self._statements.clear()
            compiled = self._statements[key] = _Compiled(build())
        return compiled

    def resolve(self, hashes: list[str]) -> AuthRecord | None:
        """What a presented token resolves to (as ``TokenRepository.resolve``)."""
        n = len(hashes)
        compiled = self._compiled(("resolve", n), lambda: resolve_query(["-"] * n))
        values = {f"hashes_{i + 1}": h for i, h in enumerate(hashes)}
        rows = compiled.rows(self._connection(), values)
        return auth_record([_Row(compiled.index, r) for r in rows])

    def page(self, query: ListQuery, *, offset: int, limit: int) -> tuple[int, list[str]]:
        """The total matching ``query`` and the JSON texts of one page."""
        conn = self._connection()
        shape = _shape(query)
        template = replace(
            query,
            date_from=_EPOCH if query.date_from is not None else None,
            date_to=_EPOCH if query.date_to is not None else None,
        )
        values: dict[str, Any] = {"date_from": query.date_from, "date_to": query.date_to}
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        key = (shape, query.date_from, query.date_to)
        cached = self._ids.get(key)
        if cached is None or cached[0] != version:
            counter = self._compiled(("count", shape), lambda: count_query(template))
            total = int(counter.rows(conn, values)[0][0])
            ids: list[int] | None = None
            if total <= MAX_CACHED_IDS:
                lister = self._compiled(("ids", shape), lambda: ids_query(template))
                ids = [r[0] for r in lister.rows(conn, values)]
                total = len(ids)
            if len(self._ids) > 256:
                self._ids.clear()
            cached = self._ids[key] = (version, total, ids)
        _, total, ids = cached
        if limit <= 0 or offset >= total:
            return total, []
        if ids is not None:
            seeker = self._compiled(("seek", shape), lambda: seek_query(template, 1))
            bound = seeker.bind({**values, "first_id": ids[offset], "limit": limit})
        else:
            seeker = self._compiled(("page", shape), lambda: page_query(template, 0, 1))
            bound = seeker.bind({**values, "offset": offset, "limit": limit})
        return total, [r[0] for r in conn.execute(seeker.sql, bound).fetchall()]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
