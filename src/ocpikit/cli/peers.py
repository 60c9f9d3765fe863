"""``ocpikit peer register | list | unregister``."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.table import Table

from ocpikit.cli.common import DatabaseOption, fail, run, stderr, stdout, with_database
from ocpikit.client.http import http_client
from ocpikit.config import Settings
from ocpikit.modules.credentials.service import (
    HandshakeError,
    register_with_peer,
    unregister_peer,
    update_with_peer,
)
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import Peer, PeerRepository

__all__ = ["app"]

app = typer.Typer(help="Peers: the platforms this node is connected to.", no_args_is_help=True)


@app.command("register")
def register(
    database: DatabaseOption,
    versions_url: Annotated[str, typer.Option(help="The peer's versions endpoint.")],
    token: Annotated[str, typer.Option(help="The registration token (A) the peer issued.")],
    party: Annotated[
        str | None,
        typer.Option(
            help="CC:PARTY_ID of the local party that registers, for an OCPI 2.1.1 peer "
            "(one party per connection; default: the first CPO or eMSP). OCPI 2.2.1 "
            "presents every local party."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each peer call.")] = 30.0,
) -> None:
    """Run the credentials handshake as the initiating party (our node must be serving)."""

    async def action(db: Database) -> Peer:
        async with http_client(timeout=timeout) as client:
            try:
                return await register_with_peer(
                    db,
                    client,
                    versions_url=versions_url,
                    token_a=token,
                    party=party,
                    versions=Settings().versions,
                )
            except HandshakeError as exc:
                fail(str(exc))

    peer = run(with_database(database, action))
    stdout.print(
        f"registered with {peer.name} (peer {peer.id}) on OCPI {peer.version}: "
        f"{len(peer.endpoints)} endpoints",
        markup=False,
    )


def _peer_json(peer: Peer) -> dict[str, object]:
    return {
        "id": peer.id,
        "name": peer.name,
        "status": peer.status,
        "version": peer.version,
        "versions_url": peer.versions_url,
        "token_encoding": peer.token_encoding,
        "roles": [
            {"role": r.role, "country_code": r.country_code, "party_id": r.party_id}
            for r in peer.roles
        ],
        "local_party": ":".join(peer.local_party) if peer.local_party else None,
        "endpoints": peer.endpoints,
        "updated_at": peer.updated_at.isoformat(),
    }


@app.command("list")
def list_peers(
    database: DatabaseOption,
    json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List the registered peers (and those being registered)."""

    async def action(db: Database) -> list[Peer]:
        async with db.connect() as conn:
            return await PeerRepository(conn).list()

    peers = run(with_database(database, action))
    if json:
        print(orjson.dumps([_peer_json(p) for p in peers]).decode())
        return
    if not peers:
        stdout.print("no peers yet: see `ocpikit token create` and `ocpikit peer register`")
        return
    table = Table("id", "name", "status", "version", "roles", "modules", "versions URL")
    for p in peers:
        roles = ", ".join(f"{r.role} {r.country_code}:{r.party_id}" for r in p.roles)
        modules = ", ".join(
            sorted({e["identifier"] for e in p.endpoints if e["identifier"] != "credentials"})
        )
        table.add_row(str(p.id), p.name, p.status, p.version or "-", roles, modules, p.versions_url)
    stdout.print(table)


@app.command("update")
def update(
    database: DatabaseOption,
    peer: Annotated[str, typer.Argument(help="Peer id, CC:PARTY_ID, or versions URL.")],
) -> None:
    """Refresh a peer's endpoints and rotate both tokens (PUT credentials)."""

    async def action(db: Database) -> Peer:
        async with db.connect() as conn:
            found = await PeerRepository(conn).find(peer)
        if found is None:
            fail(f"no registered peer {peer!r}: see `ocpikit peer list`")
        async with http_client(timeout=30.0) as client:
            try:
                return await update_with_peer(db, client, found, Settings().versions)
            except HandshakeError as exc:
                fail(str(exc))

    updated = run(with_database(database, action))
    stdout.print(
        f"updated {updated.name} (peer {updated.id}) on OCPI {updated.version}: tokens rotated",
        markup=False,
    )


@app.command("unregister")
def unregister(
    database: DatabaseOption,
    peer: Annotated[str, typer.Argument(help="Peer id, CC:PARTY_ID, or versions URL.")],
) -> None:
    """Unregister a peer: tell it (DELETE credentials) and revoke its token here."""

    async def action(db: Database) -> tuple[Peer, str | None]:
        async with db.connect() as conn:
            found = await PeerRepository(conn).find(peer)
        if found is None:
            fail(f"no registered peer {peer!r}: see `ocpikit peer list`")
        async with http_client(timeout=30.0) as client:
            return found, await unregister_peer(db, client, found)

    found, warning = run(with_database(database, action))
    if warning:
        stderr.print(f"warning: {warning}", markup=False)
    stdout.print(f"unregistered {found.name} (peer {found.id})", markup=False)
