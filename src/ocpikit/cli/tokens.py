"""``ocpikit token create``: registration tokens (OCPI token A) for new peers."""

from __future__ import annotations

from typing import Annotated

import typer

from ocpikit.cli.common import DatabaseOption, run, stdout, with_database
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import ConfigRepository, TokenRepository

__all__ = ["app"]

app = typer.Typer(help="Registration tokens for new peers.", no_args_is_help=True)


@app.command("create")
def create(
    database: DatabaseOption,
    label: Annotated[str | None, typer.Option(help="A note on who the token is for.")] = None,
) -> None:
    """Issue a registration token (token A); it is the last line of stdout, alone."""

    async def action(db: Database) -> tuple[str, str | None]:
        async with db.transaction() as conn:
            token = await TokenRepository(conn).issue(kind="A", label=label)
            base_url = await ConfigRepository(conn).get("base_url")
        return token, base_url

    token, base_url = run(with_database(database, action))
    if base_url:
        stdout.print(f"Give the peer our versions URL {base_url}/ocpi/versions and this token:")
    print(token)
