"""``ocpikit init`` and ``ocpikit serve``."""

from __future__ import annotations

import os
import re
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from ocpikit.cli.common import DatabaseOption, check_url, fail, open_database, run, stdout
from ocpikit.protocol.v221.common import Role
from ocpikit.serving import uvicorn_options
from ocpikit.storage.db import Database
from ocpikit.storage.migrate import upgrade
from ocpikit.storage.repositories import ConfigRepository, PartyRepository
from ocpikit.types import PartyName

__all__ = ["init", "parse_party", "serve"]

_PARTY = re.compile(
    r"^(?P<cc>[A-Za-z]{2}):(?P<pid>[A-Za-z0-9]{3}):(?P<role>[A-Za-z]+)(?::(?P<name>.+))?$",
    re.DOTALL,  # a line break in the name is refused with the name rule, not as a bad spec
)
_PARTY_NAME: TypeAdapter[str] = TypeAdapter(PartyName)


def parse_party(spec: str) -> tuple[str, str, str, str]:
    """``CC:PARTY_ID:ROLE[:NAME]`` -> (country_code, party_id, role, name)."""
    match = _PARTY.match(spec)
    if match is None:
        fail(f"--party {spec!r} is not CC:PARTY_ID:ROLE[:NAME] (e.g. NL:TNM:CPO:TheNewMotion)")
    role = match["role"].upper()
    if role not in Role.__members__:
        fail(f"--party {spec!r}: role must be one of {', '.join(Role.__members__)}")
    try:
        name = _PARTY_NAME.validate_python((match["name"] or match["pid"].upper()).strip(" "))
    except ValidationError:
        fail(
            f"--party {spec!r}: the name must be 1 to 100 characters of printable text, "
            "without tabs, line breaks or other control characters"
        )
    return match["cc"].upper(), match["pid"].upper(), role, name


def _base_url(url: str) -> str:
    if not re.match(r"^https?://[^\s/]+", url) or len(url) > 200:
        fail(f"--base-url {url!r} must be an http(s) URL such as https://ocpi.example.com")
    return url.rstrip("/")


async def _init(
    url: str, base_url: str | None, parties: list[tuple[str, str, str, str]]
) -> list[str]:
    db = await open_database(url, require_schema=False)
    changes: list[str] = []
    try:
        await upgrade(db)
        async with db.transaction() as conn:
            config = ConfigRepository(conn)
            if base_url is not None and await config.get("base_url") != base_url:
                await config.set("base_url", base_url)
                changes.append(f"base URL {base_url}")
            elif base_url is None and await config.get("base_url") is None:
                fail("--base-url is required the first time")
            repo = PartyRepository(conn)
            for cc, pid, role, name in parties:
                if await repo.upsert(cc, pid, role, name, {"name": name}):
                    changes.append(f"party {cc}:{pid} {role} ({name})")
            if not await repo.list():
                fail("at least one --party CC:PARTY_ID:ROLE is required")
    finally:
        await db.close()
    return changes


def init(
    database: DatabaseOption,
    base_url: Annotated[
        str | None,
        typer.Option(help="Public base URL; the versions endpoint is {base-url}/ocpi/versions."),
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option(help="A local party CC:PARTY_ID:ROLE[:NAME]; repeat for several."),
    ] = None,
) -> None:
    """Create or upgrade the schema and declare the node's local parties (idempotent)."""
    parsed = [parse_party(p) for p in party or []]
    changes = run(_init(database, _base_url(base_url) if base_url else None, parsed))
    if changes:
        for change in changes:
            stdout.print(f"set {change}", markup=False)
    else:
        stdout.print("nothing to change: the database is up to date")


async def _check_ready(url: str) -> None:
    db: Database = await open_database(url)
    await db.close()


def serve(
    database: DatabaseOption,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    simulator: Annotated[
        bool, typer.Option(help="Send commands to built-in simulated charge points.")
    ] = False,
) -> None:
    """Serve OCPI (every supported version), the operator API, and run the push worker."""
    import uvicorn

    check_url(database)
    run(_check_ready(database))
    os.environ["OCPIKIT_DATABASE_URL"] = database
    if simulator:
        os.environ["OCPIKIT_SIMULATOR"] = "1"
    uvicorn.run(
        "ocpikit.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        **uvicorn_options("httptools"),
        # On SIGTERM, requests in flight get this long before their connections are closed
        # (uvicorn would otherwise wait for every keep-alive client to leave).
        timeout_graceful_shutdown=10,
    )
