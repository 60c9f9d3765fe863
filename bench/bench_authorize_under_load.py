"""Authorizations and list reads while a peer floods EVSE PATCHes (issue 8, item 8).

One `ocpikit serve` process holding two local parties: the eMSP DE:MSP (10,000 of its own
tokens, 2,000 locations received from the CPO peer NL:CPO) and the CPO NL:OWN (1,000 tokens
pushed by the eMSP peer DE:OTH, whitelist ALWAYS, in its cache). Three probes run side by
side, each one request at a time with a 20 ms pause between requests:

- ``POST /ocpi/2.2.1/sender/tokens/{uid}/authorize`` (the CPO peer asks the eMSP);
- ``POST /api/charge-point/authorize`` (our charge point asks the CPO; decided by the cached
  token's whitelist);
- ``GET /ocpi/2.2.1/sender/tokens?offset=..&limit=100`` (a list page).

First for ``DURATION`` seconds on an idle node (the baseline), then while 8 connections of
the CPO peer send EVSE status PATCHes back to back (each a write transaction). Every answer
is checked. The load generator shares the machine with the server.

Database: SQLite, or PostgreSQL with ``OCPIKIT_BENCH_DATABASE=postgresql`` (a fresh database
on ``OCPIKIT_BENCH_PG``, default ``postgresql://postgres@127.0.0.1:5432``, dropped after).

Before/after in one run: ``OCPIKIT_BENCH_BEFORE=/path/to/old/src`` also measures a node
running that source tree (``PYTHONPATH``), e.g. a ``git worktree`` of the parent commit; its
database is initialised by this tree's migrations, so the schemas must match.

Run: ``.venv/bin/python -m bench.bench_authorize_under_load``.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import orjson

from bench.support import add_peer, free_port, init_node, percentile, serve
from ocpikit.modules.locations import service as locations
from ocpikit.modules.tokens import service as tokens
from ocpikit.protocol.v221.locations import Location
from ocpikit.protocol.v221.tokens import Token
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.transport.auth import authorization_header

__all__ = ["main"]

OWN_TOKENS = 10_000
CACHED_TOKENS = 1_000
LOCATIONS = 2_000
SENDERS = 8
DURATION = 10.0
PAUSE = 0.02
PAGE = 100
ADMIN = "bench-admin-token"
PG = os.environ.get("OCPIKIT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def _token(cc: str, pid: str, i: int, whitelist: str) -> Token:
    return Token.model_validate(
        {
            "country_code": cc,
            "party_id": pid,
            "uid": f"04{i:012X}",
            "type": "RFID",
            "contract_id": f"{cc}-{pid}-C{i:08d}-X",
            "issuer": "ocpikit bench",
            "valid": True,
            "whitelist": whitelist,
            "last_updated": "2026-01-01T00:00:00Z",
        }
    )


def _location(i: int) -> Location:
    stamp = "2026-01-01T00:00:00Z"
    evses = [
        {
            "uid": f"L{i:05d}-{n}",
            "evse_id": f"NL*CPO*E{i:05d}{n}",
            "status": "AVAILABLE",
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "max_voltage": 230,
                    "max_amperage": 32,
                    "last_updated": stamp,
                }
            ],
            "last_updated": stamp,
        }
        for n in (1, 2)
    ]
    return Location.model_validate(
        {
            "country_code": "NL",
            "party_id": "CPO",
            "id": f"L{i:05d}",
            "publish": True,
            "address": f"Street {i}",
            "city": "Amsterdam",
            "country": "NLD",
            "coordinates": {"latitude": "52.378900", "longitude": "4.900200"},
            "evses": evses,
            "time_zone": "Europe/Amsterdam",
            "last_updated": stamp,
        }
    )


async def seed(url: str, cpo_peer: int, emsp_peer: int) -> None:
    """Our tokens, the cached tokens of DE:OTH and the locations of NL:CPO, 500 a transaction."""
    db = Database(url)
    rows: list[tuple[ObjectKey, bytes, object, bool, int | None]] = []
    for i in range(OWN_TOKENS):
        t = _token("DE", "MSP", i, "NEVER")
        rows.append((tokens.key_of("DE", "MSP", t.uid), t.to_json_bytes(), t, True, None))
    for i in range(CACHED_TOKENS):
        t = _token("DE", "OTH", i, "ALWAYS")
        rows.append((tokens.key_of("DE", "OTH", t.uid), t.to_json_bytes(), t, False, emsp_peer))
    for i in range(LOCATIONS):
        loc = _location(i)
        key = ObjectKey(locations.MODULE, "NL", "CPO", loc.id)
        rows.append((key, loc.to_json_bytes(), loc, False, cpo_peer))
    for start in range(0, len(rows), 500):
        async with db.transaction() as conn:
            store = ObjectStore(conn)
            for key, data, model, is_local, peer in rows[start : start + 500]:
                await store.put(
                    key,
                    data,
                    last_updated=model.last_updated,  # type: ignore[attr-defined]
                    is_local=is_local,
                    peer_id=peer,
                )
    await db.close()


async def peer_id(url: str, cc: str, pid: str) -> int:
    from ocpikit.storage.repositories import PeerRepository

    db = Database.unpooled(url)
    async with db.connect() as conn:
        peers = await PeerRepository(conn).list()
    await db.close()
    return next(p.id for p in peers if p.owns(cc, pid))


Probe = Callable[[httpx.AsyncClient, random.Random], Awaitable[None]]


def probes(cpo_token: str) -> dict[str, Probe]:
    ocpi = {
        "Authorization": authorization_header(cpo_token),
        "OCPI-from-country-code": "NL",
        "OCPI-from-party-id": "CPO",
        "OCPI-to-country-code": "DE",
        "OCPI-to-party-id": "MSP",
    }

    async def authorize(client: httpx.AsyncClient, rng: random.Random) -> None:
        uid = f"04{rng.randrange(OWN_TOKENS):012X}"
        r = await client.post(
            f"/ocpi/2.2.1/sender/tokens/{uid}/authorize?type=RFID",
            content=orjson.dumps({"location_id": "L00001"}),
            headers={**ocpi, "Content-Type": "application/json"},
        )
        reply = orjson.loads(r.content)
        assert reply["status_code"] == 1000 and reply["data"]["allowed"] == "ALLOWED", r.text

    async def charge_point(client: httpx.AsyncClient, rng: random.Random) -> None:
        body = {"token_uid": f"04{rng.randrange(CACHED_TOKENS):012X}", "location_id": "OWN1"}
        r = await client.post(
            "/api/charge-point/authorize",
            json=body,
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        assert r.status_code == 200 and r.json()["decided_by"] == "whitelist", r.text

    async def page(client: httpx.AsyncClient, rng: random.Random) -> None:
        offset = rng.randrange(OWN_TOKENS // PAGE) * PAGE
        r = await client.get(
            f"/ocpi/2.2.1/sender/tokens?offset={offset}&limit={PAGE}", headers=ocpi
        )
        assert r.status_code == 200 and len(r.json()["data"]) == PAGE, r.text[:200]

    return {
        "POST tokens/{uid}/authorize (eMSP)": authorize,
        "POST /api/charge-point/authorize (CPO)": charge_point,
        f"GET tokens list page (limit={PAGE})": page,
    }


async def probe(url: str, run: Probe, stop: float) -> list[float]:
    latencies: list[float] = []
    rng = random.Random()
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            await run(client, rng)
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(PAUSE)
    return latencies


async def flood(url: str, token: str, stop: float) -> int:
    """EVSE status PATCHes from the CPO peer, back to back on ``SENDERS`` connections."""
    done = 0
    headers = {"Authorization": authorization_header(token)}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def sender(n: int) -> None:
            nonlocal done
            i = 0
            while time.monotonic() < stop:
                loc = (n * LOCATIONS // SENDERS) + i % (LOCATIONS // SENDERS)
                body = {
                    "status": random.choice(["AVAILABLE", "CHARGING"]),
                    "last_updated": f"2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:"
                    f"{i % 60:02d}Z",
                }
                r = await client.patch(
                    f"/ocpi/2.2.1/receiver/locations/NL/CPO/L{loc:05d}/L{loc:05d}-1", json=body
                )
                assert r.json()["status_code"] == 1000, r.text
                done += 1
                i += 1

        await asyncio.gather(*(sender(n) for n in range(SENDERS)))
    return done


async def phase(url: str, cpo_token: str, *, flooding: bool) -> tuple[dict[str, list[float]], int]:
    stop = time.monotonic() + DURATION
    runs = probes(cpo_token)
    tasks = [probe(url, run, stop) for run in runs.values()]
    if flooding:
        results = await asyncio.gather(*tasks, flood(url, cpo_token, stop))
        patches = int(results[-1])  # type: ignore[call-overload]
        results = results[:-1]
    else:
        results, patches = await asyncio.gather(*tasks), 0
    return dict(zip(runs, results, strict=True)), patches  # type: ignore[arg-type]


@asynccontextmanager
async def database(tmp: str) -> AsyncIterator[str]:
    if os.environ.get("OCPIKIT_BENCH_DATABASE", "sqlite") != "postgresql":
        yield f"sqlite:///{Path(tmp) / f'node-{uuid.uuid4().hex[:6]}.db'}"
        return
    name = f"ocpikit_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{PG}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def line(label: str, latencies: list[float]) -> str:
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return f"  {label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(latencies)} requests)"


async def measure(name: str, source: str | None) -> None:
    backend = os.environ.get("OCPIKIT_BENCH_DATABASE", "sqlite")
    with tempfile.TemporaryDirectory() as tmp:
        async with database(tmp) as url:
            port = free_port()
            await init_node(
                url, f"http://127.0.0.1:{port}", [("DE", "MSP", "EMSP"), ("NL", "OWN", "CPO")]
            )
            cpo_token = await add_peer(url, "NL", "CPO", "CPO")
            await add_peer(url, "DE", "OTH", "EMSP")
            await seed(url, await peer_id(url, "NL", "CPO"), await peer_id(url, "DE", "OTH"))
            env = {"OCPIKIT_ADMIN_TOKEN": ADMIN, "OCPIKIT_SYNC_INTERVAL": "0"}
            if source is not None:
                env["PYTHONPATH"] = source
            async with serve(url, port, env=env) as node:
                await phase(node.url, cpo_token, flooding=False)  # warm-up
                print(f"{name} ({backend}, 1 serve process):", flush=True)
                for flooding in (False, True):
                    found, patches = await phase(node.url, cpo_token, flooding=flooding)
                    what = (
                        f"while {SENDERS} connections PATCH EVSEs: {patches / DURATION:.0f}/s"
                        if flooding
                        else "idle node (baseline)"
                    )
                    print(f" {what}")
                    for label, latencies in found.items():
                        print(line(label, latencies), flush=True)


async def run() -> None:
    before = os.environ.get("OCPIKIT_BENCH_BEFORE")
    if before:
        await measure(f"before ({before})", str(Path(before).resolve()))
    here = str(Path(__file__).resolve().parent.parent / "src")
    await measure("this tree" if not before else "after (this tree)", here)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
