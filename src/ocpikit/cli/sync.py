"""``ocpikit sync``: pull a peer's Sender interfaces into the database."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ocpikit.cli.common import DatabaseOption, fail, is_tty, run, stderr, stdout, with_database
from ocpikit.client.ocpi import OcpiClient
from ocpikit.client.peer import ClientOptions
from ocpikit.errors import PeerError, PeerTimeout
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import PartyRepository, Peer, PeerRepository
from ocpikit.sync.pull import SyncReport, pull, pullable_modules
from ocpikit.sync.pull_modules import PULLABLE

__all__ = ["sync"]


def _on_page(progress: Progress | None, task: TaskID | None) -> Callable[[SyncReport], None]:
    def update(report: SyncReport) -> None:
        if progress is not None and task is not None:
            progress.update(task, total=report.total, completed=report.received)

    return update


def _progress() -> Progress | None:
    if not is_tty():
        return None
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stdout,
        transient=True,
    )


async def _pull_modules(
    db: Database,
    peer: Peer,
    modules: list[str],
    full: bool,
    client: OcpiClient,
    page_size: int | None,
) -> int:
    """Pull each module in turn, printing its report or error; returns how many failed.

    After a module whose call passed its deadline, the others are not tried: a peer that does
    not answer one page in time would make each of them wait as long again.
    """
    failures = 0
    progress = _progress()
    silent: str | None = None
    with progress if progress is not None else nullcontext():
        for name in modules:
            if silent is not None:
                failures += 1
                stderr.print(f"error: {name}: skipped ({silent})", markup=False)
                continue
            task = progress.add_task(name, total=None) if progress is not None else None
            try:
                report = await pull(
                    db,
                    peer,
                    name,
                    full,
                    client,
                    page_size=page_size,
                    on_page=_on_page(progress, task),
                )
            except PeerError as exc:
                failures += 1
                stderr.print(f"error: {name}: {exc.message}", markup=False)
                if isinstance(exc, PeerTimeout):
                    silent = f"peer {peer.name} did not answer {name} in time"
                continue
            finally:
                if progress is not None and task is not None:
                    progress.remove_task(task)
            stdout.print(report.summary(), markup=False)
            for quirk in report.quirks:
                stderr.print(f"warning: {name}: the peer's {quirk}", markup=False)
    return failures


def sync(
    database: DatabaseOption,
    peer: Annotated[
        str,
        typer.Option("--peer", help="Peer id, CC:PARTY_ID, or versions URL.", show_default=False),
    ],
    module: Annotated[
        str | None,
        typer.Option(
            help=f"One module ({', '.join(PULLABLE)}); default: every one the peer sends."
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Fetch everything, not only changes since the last sync; objects the peer no "
            "longer lists are then marked gone (locations: EVSEs REMOVED; tariffs deleted; "
            "tokens invalid).",
        ),
    ] = False,
    page_size: Annotated[
        int | None, typer.Option(min=1, help="Objects per page to ask for (the peer may cap it).")
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.001,
            help="Seconds each page may take in total, retries included (a peer that does "
            "not answer in full by then fails the module).",
        ),
    ] = 30.0,
) -> None:
    """Pull a peer's Sender interfaces (incremental by default, from the last successful sync)."""
    if module is not None and module not in PULLABLE:
        fail(f"{module!r} is not a module ocpikit pulls: use one of {', '.join(PULLABLE)}")

    async def action(db: Database) -> int:
        async with db.connect() as conn:
            found = await PeerRepository(conn).find(peer)
            parties = await PartyRepository(conn).list()
        if found is None:
            fail(f"no registered peer {peer!r}: see `ocpikit peer list`")
        if found.status != "REGISTERED" or not found.token_out:
            fail(f"peer {found.name} is not registered (status {found.status})")
        modules = [module] if module is not None else pullable_modules(found)
        if not modules:
            fail(f"peer {found.name} offers none of the Sender interfaces ocpikit pulls")
        options = ClientOptions(read_timeout=timeout, write_timeout=timeout)
        async with OcpiClient(found, parties, options=options) as client:
            return await _pull_modules(db, found, modules, full, client, page_size)

    failures = run(with_database(database, action))
    if failures:
        raise typer.Exit(1)
