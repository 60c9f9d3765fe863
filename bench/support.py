"""Helpers for benchmarks: a real `ocpikit serve` process on loopback with seeded data."""

from __future__ import annotations

import asyncio
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ocpikit.storage.db import Database
from ocpikit.storage.migrate import upgrade
from ocpikit.storage.repositories import (
    ConfigRepository,
    PartyRepository,
    PeerRepository,
    PeerRole,
    TokenRepository,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rate_line(label: str, count: int, seconds: float, latencies: list[float], note: str) -> str:
    """One benchmark figure: rate per second with p50/p99 latency in milliseconds."""
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return f"{label}: {count / seconds:.0f}/s (p50 {p50:.1f} ms, p99 {p99:.1f} ms, {note})"


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    ``VmHWM`` of ``/proc/self/status`` (Linux): the high-water mark of this process image only.
    ``getrusage(RUSAGE_SELF).ru_maxrss`` is not used where ``/proc`` exists: after fork + exec it
    keeps the parent's high-water mark, so a child started by a large parent reports the parent.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def rss_mb() -> float:
    """This process's current resident set size in MB (``VmRSS``; NaN without ``/proc``)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def init_node(url: str, base_url: str, parties: list[tuple[str, str, str]]) -> None:
    db = Database.unpooled(url)
    await upgrade(db)
    async with db.transaction() as conn:
        await ConfigRepository(conn).set("base_url", base_url)
        for cc, pid, role in parties:
            await PartyRepository(conn).upsert(cc, pid, role, pid, {"name": pid})
    await db.close()


async def add_peer(
    url: str,
    cc: str,
    pid: str,
    role: str,
    endpoints: list[dict[str, str]] | None = None,
    *,
    token_out: str = "unused",
) -> str:
    """A registered peer, directly in the database; returns the token it calls us with.

    ``token_out`` is the token we call the peer with (the one the peer issued to us).
    """
    db = Database.unpooled(url)
    async with db.transaction() as conn:
        repo = PeerRepository(conn)
        peer_id = await repo.create(
            status="REGISTERED",
            versions_url="http://127.0.0.1:9/versions",
            token_out=token_out,
            token_encoding="base64",
        )
        await repo.update(peer_id, version="2.2.1", endpoints=endpoints or [])
        await repo.set_roles(peer_id, [PeerRole(role, cc, pid, {"name": pid})])
        token = await TokenRepository(conn).issue(kind="C", peer_id=peer_id)
    await db.close()
    return token


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]


@asynccontextmanager
async def serve(
    database_url: str, port: int, *, env: dict[str, str] | None = None
) -> AsyncIterator[Served]:
    """`ocpikit serve` as a separate process, stopped afterwards."""
    exe = Path(sys.executable).parent / "ocpikit"
    process = subprocess.Popen(
        [str(exe), "serve", "--database", database_url, "--port", str(port)],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as client:
        while True:
            try:
                await client.get(f"{url}/ocpi/versions")
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"ocpikit serve did not start: {err}") from None
                await asyncio.sleep(0.1)
    try:
        yield Served(url, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def hammer(
    url: str,
    paths: Callable[[random.Random], str],
    headers: dict[str, str],
    *,
    duration: float,
    connections: int,
    expect: bytes = b'"status_code":1000',
) -> tuple[int, list[float]]:
    """A minimal HTTP/1.1 keep-alive load generator (GET only) on raw asyncio streams.

    httpx spends more CPU per request than the server it measures; on a 2-core machine the
    load generator must be cheap, or it, not the server, sets the figure. Every answer is
    checked for status 200 and ``expect`` in its body.
    """
    host, _, port = url.removeprefix("http://").partition(":")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    done = 0
    latencies: list[float] = []
    stop = time.monotonic() + duration

    async def connection(seed: int) -> None:
        nonlocal done
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.monotonic() < stop:
                request = f"GET {paths(rng)} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n"
                started = time.perf_counter()
                writer.write(request.encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 200") or expect not in body:
                    raise RuntimeError(f"unexpected answer: {head[:60]!r} {body[:120]!r}")
                done += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection(i) for i in range(connections)))
    return done, latencies
