"""Tokens Sender: real-time authorization (``POST .../tokens/{uid}/authorize``) on SQLite.

One `ocpikit serve` process of an eMSP holding 10,000 of its own tokens (stored as
``service.save_local`` stores them, in batches); a CPO peer registered directly in the database
calls it. The load generator runs in this process on loopback with keep-alive connections, so
on a small machine it shares the CPU with the server: the figures are for the pair. Each
request names a random token (1 in 20 is unknown: 404 / 2004) and carries a
LocationReferences body; every answer is checked. Every known token's answer appends a
``token.authorized`` event, so each such request is a write transaction.

Run: ``.venv/bin/python -m bench.bench_tokens``.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

import httpx
import orjson

from bench.support import add_peer, free_port, init_node, rate_line, serve
from ocpikit.modules.tokens import service
from ocpikit.protocol.v221.tokens import Token
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectStore
from ocpikit.transport.auth import authorization_header

__all__ = ["main"]

TOKENS = 10_000
DURATION = 8.0
CONCURRENCY = 16
UNKNOWN_EVERY = 20


def _token(i: int) -> dict:
    uid = f"04{i:012X}"
    return {
        "country_code": "DE",
        "party_id": "MSP",
        "uid": uid,
        "type": "RFID",
        "contract_id": f"DE-MSP-C{i:08d}-X",
        "visual_number": f"DF000-{i:08d}",
        "issuer": "ocpikit bench eMSP",
        "group_id": "DF000-2001-8999",
        "valid": i % 50 != 0,  # some are blocked
        "whitelist": "NEVER",
        "language": "de",
        "last_updated": "2026-01-01T00:00:00Z",
    }


async def seed(url: str) -> None:
    """Our own tokens, stored as ``service.save_local`` stores them, 500 per transaction.

    ``save_local`` takes one transaction per token (about 9 ms each here, 90 s for 10,000);
    batching changes nothing in what is stored. No peer has a Tokens Receiver, so nothing
    would be queued for push.
    """
    db = Database(url)
    models = [Token.model_validate(_token(i)) for i in range(TOKENS)]
    for start in range(0, TOKENS, 500):
        async with db.transaction() as conn:
            store = ObjectStore(conn)
            for token in models[start : start + 500]:
                key = service.key_of(token.country_code, token.party_id, token.uid, token.type)
                await store.put(
                    key, token.to_json_bytes(), last_updated=token.last_updated, is_local=True
                )
    await db.close()


async def load(
    url: str, headers: dict[str, str], duration: float, concurrency: int
) -> tuple[int, list[float]]:
    latencies: list[float] = []
    done = 0
    stop = time.monotonic() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=30
    ) as client:

        async def cpo() -> None:
            nonlocal done
            rng = random.Random()
            while time.monotonic() < stop:
                n = rng.randrange(TOKENS)
                unknown = rng.randrange(UNKNOWN_EVERY) == 0
                uid = f"FF{n:012X}" if unknown else f"04{n:012X}"
                body = {"location_id": f"L{n % 1000:05d}", "evse_uids": [f"L{n % 1000:05d}-1"]}
                t0 = time.perf_counter()
                r = await client.post(
                    f"/ocpi/2.2.1/sender/tokens/{uid}/authorize?type=RFID",
                    content=orjson.dumps(body),
                )
                latencies.append(time.perf_counter() - t0)
                reply = orjson.loads(r.content)
                if unknown:
                    assert r.status_code == 404 and reply["status_code"] == 2004, r.text
                else:
                    assert r.status_code == 200 and reply["status_code"] == 1000, r.text
                    expected = "BLOCKED" if n % 50 == 0 else "ALLOWED"
                    assert reply["data"]["allowed"] == expected, r.text
                done += 1

        await asyncio.gather(*(cpo() for _ in range(concurrency)))
    return done, latencies


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'emsp.db'}"
        port = free_port()
        await init_node(db_url, f"http://127.0.0.1:{port}", [("DE", "MSP", "EMSP")])
        token = await add_peer(db_url, "NL", "CPO", "CPO")
        t0 = time.perf_counter()
        await seed(db_url)
        print(f"seeded {TOKENS} tokens in {time.perf_counter() - t0:.1f} s")
        headers = {
            "Authorization": authorization_header(token),
            "Content-Type": "application/json",
            "OCPI-from-country-code": "NL",
            "OCPI-from-party-id": "CPO",
            "OCPI-to-country-code": "DE",
            "OCPI-to-party-id": "MSP",
        }
        label = "token authorizations (POST authorize), 1 serve process, SQLite"
        async with serve(db_url, port) as node:
            await load(node.url, headers, 1.5, CONCURRENCY)  # warm-up
            for concurrency in (1, CONCURRENCY):
                count, lat = await load(node.url, headers, DURATION, concurrency)
                note = "sequential" if concurrency == 1 else f"{concurrency} concurrent CPOs"
                print(rate_line(label, count, DURATION, lat, note))


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
