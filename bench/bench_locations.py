"""Locations Sender: GET pages (limit=100) of 10,000 locations with 2 EVSEs each, on SQLite.

One `ocpikit serve` process; the load generator runs in this process on loopback with
keep-alive connections. Also measures location PATCHes received (EVSE status) per second.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

import httpx

from bench.support import add_peer, free_port, hammer, init_node, rate_line, serve
from ocpikit.modules.locations import service
from ocpikit.protocol.v221.locations import Location
from ocpikit.storage.db import Database
from ocpikit.transport.auth import authorization_header

LOCATIONS = 10_000
PAGE = 100
DURATION = 10.0
CONCURRENCY = 16


def _location(i: int) -> dict:
    stamp = f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"

    def evse(n: int) -> dict:
        return {
            "uid": f"L{i:05d}-{n}",
            "evse_id": f"NL*CPO*E{i:05d}{n}",
            "status": "AVAILABLE",
            "capabilities": ["RFID_READER", "REMOTE_START_STOP_CAPABLE"],
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "max_voltage": 230,
                    "max_amperage": 32,
                    "tariff_ids": ["T1"],
                    "last_updated": stamp,
                }
            ],
            "last_updated": stamp,
        }

    return {
        "country_code": "NL",
        "party_id": "CPO",
        "id": f"L{i:05d}",
        "publish": True,
        "name": f"Station {i}",
        "address": f"Street {i}",
        "city": "Amsterdam",
        "postal_code": "1012AB",
        "country": "NLD",
        "coordinates": {"latitude": "52.378900", "longitude": "4.900200"},
        "parking_type": "ON_STREET",
        "evses": [evse(1), evse(2)],
        "time_zone": "Europe/Amsterdam",
        "last_updated": stamp,
    }


async def seed(url: str) -> None:
    db = Database(url)
    models = [Location.model_validate(_location(i)) for i in range(LOCATIONS)]
    for start in range(0, LOCATIONS, 500):
        async with db.transaction() as conn:
            for model in models[start : start + 500]:
                await service.store_local(conn, model)
    await db.close()


async def load(
    url: str, headers: dict[str, str], duration: float, base: str = "/ocpi/2.2.1/sender"
) -> tuple[int, list[float]]:
    """Random pages of the list, over keep-alive connections; each answer checked.

    ``base``: the Sender's prefix (``/ocpi/2.1.1/NL/CPO`` for the 2.1.1 rendering).
    """

    def page(rng: random.Random) -> str:
        offset = rng.randrange(0, LOCATIONS // PAGE) * PAGE
        return f"{base}/locations?offset={offset}&limit={PAGE}"

    return await hammer(url, page, headers, duration=duration, connections=CONCURRENCY)


async def patches(url: str, headers: dict[str, str], duration: float) -> tuple[int, list[float]]:
    """EVSE status PATCHes received on the eMSP Receiver interface."""
    latencies: list[float] = []
    done = 0
    stop = time.monotonic() + duration
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:

        async def cpo(n: int) -> None:
            nonlocal done
            i = 0
            while time.monotonic() < stop:
                loc = n * 1000 + (i % 1000)
                body = {
                    "status": random.choice(["AVAILABLE", "CHARGING"]),
                    "last_updated": f"2026-03-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z",
                }
                t0 = time.perf_counter()
                r = await client.patch(
                    f"/ocpi/2.2.1/receiver/locations/NL/CPO/L{loc:05d}/L{loc:05d}-1", json=body
                )
                latencies.append(time.perf_counter() - t0)
                assert r.json()["status_code"] == 1000, r.text
                done += 1
                i += 1

        await asyncio.gather(*(cpo(n) for n in range(8)))
    return done, latencies


async def receiver_seed(url: str, headers: dict[str, str], count: int) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        for i in range(count):
            r = await client.put(
                f"/ocpi/2.2.1/receiver/locations/NL/CPO/L{i:05d}", json=_location(i)
            )
            assert r.json()["status_code"] == 1000, r.text


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cpo_db = f"sqlite:///{Path(tmp) / 'cpo.db'}"
        port = free_port()
        await init_node(cpo_db, f"http://127.0.0.1:{port}", [("NL", "CPO", "CPO")])
        t0 = time.perf_counter()
        await seed(cpo_db)
        print(f"seeded {LOCATIONS} locations x 2 EVSEs in {time.perf_counter() - t0:.1f} s")
        token = await add_peer(cpo_db, "DE", "MSP", "EMSP")
        headers = {"Authorization": authorization_header(token)}
        async with serve(cpo_db, port) as node:
            await load(node.url, headers, 2.0)  # warm-up
            pages, lat = await load(node.url, headers, DURATION)
            label = f"GET locations pages (limit={PAGE}), 1 serve process, SQLite"
            print(rate_line(label, pages, DURATION, lat, f"{CONCURRENCY} connections"))
            # The same pages rendered in OCPI 2.1.1 (mapped from the stored domain objects).
            old = "/ocpi/2.1.1/NL/CPO"
            await load(node.url, headers, 2.0, old)
            pages_211, lat = await load(node.url, headers, DURATION, old)
            label = f"GET locations pages in OCPI 2.1.1 (limit={PAGE}), 1 serve process, SQLite"
            note = f"{CONCURRENCY} connections; {pages_211 / max(pages, 1):.0%} of the 2.2.1 rate"
            print(rate_line(label, pages_211, DURATION, lat, note))

        emsp_db = f"sqlite:///{Path(tmp) / 'emsp.db'}"
        port = free_port()
        await init_node(emsp_db, f"http://127.0.0.1:{port}", [("DE", "MSP", "EMSP")])
        token = await add_peer(emsp_db, "NL", "CPO", "CPO")
        headers = {"Authorization": authorization_header(token)}
        async with serve(emsp_db, port) as node:
            await receiver_seed(node.url, headers, 8000)
            count, lat = await patches(node.url, headers, DURATION / 2)
        label = "EVSE status PATCHes received, 1 serve process, SQLite"
        print(rate_line(label, count, DURATION / 2, lat, "8 senders"))


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
