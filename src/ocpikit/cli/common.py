"""What every CLI command shares: the database option, async running, one-line errors."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from ocpikit.storage.db import Database, async_url
from ocpikit.storage.migrate import current_revision, head_revision

__all__ = ["DatabaseOption", "fail", "open_database", "run", "stderr", "stdout"]

T = TypeVar("T")

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

DatabaseOption = Annotated[
    str,
    typer.Option(
        "--database",
        envvar="OCPIKIT_DATABASE_URL",
        help="sqlite:///path.db or postgresql://user@host:port/dbname (or OCPIKIT_DATABASE_URL).",
        show_default=False,
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one sentence to stderr and exit non-zero."""
    stderr.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def check_url(url: str) -> None:
    try:
        async_url(url)
    except ValueError as exc:
        fail(str(exc))


async def open_database(url: str, *, require_schema: bool = True) -> Database:
    """A CLI database handle; fails clearly when the schema is missing or outdated."""
    check_url(url)
    db = Database.unpooled(url)
    if require_schema:
        try:
            revision = await current_revision(db)
        except Exception as exc:  # noqa: BLE001 - any driver error means "cannot open"
            await db.close()
            fail(f"cannot open the database {url}: {exc.__class__.__name__}: {exc}")
        if revision is None:
            await db.close()
            fail(f"the database {url} is not initialised: run `ocpikit init` first")
        if revision != head_revision():
            await db.close()
            fail(f"the database {url} has an older schema: run `ocpikit init` to upgrade it")
    return db


async def with_database(url: str, action: Callable[[Database], Awaitable[T]]) -> T:
    db = await open_database(url)
    try:
        return await action(db)
    finally:
        await db.close()


def is_tty() -> bool:
    return sys.stdout.isatty()
