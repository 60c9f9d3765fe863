"""Faults with real processes: a push worker killed mid-delivery; `serve --workers 2`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectKey
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.sync.push import outbox_counts
from tests.push.test_push_worker import add_peer, receiver
from tests.support import Databases, free_port, initialise

pytestmark = pytest.mark.e2e

OCPIKIT = str(Path(sys.executable).parent / "ocpikit")


async def enqueue(db: Database, objects: int, changes: int) -> None:
    for seq in range(changes):
        async with db.transaction() as conn:
            outbox = Outbox(conn)
            for n in range(objects):
                key = ObjectKey("locations", "NL", "CPO", f"L{n}")
                await outbox.publish(Push(key, "PATCH", f"/NL/CPO/L{n}", {"seq": seq}))


async def test_worker_killed_mid_push_loses_nothing_and_keeps_order(databases: Databases):
    url = await databases.new()
    await initialise(url, "http://127.0.0.1:1", [("NL", "CPO", "CPO")])
    db = Database(url)
    async with receiver() as rec:
        rec.delay = 0.02  # slow enough to kill the worker in the middle
        await add_peer(db, rec)
        await enqueue(db, objects=5, changes=20)
        env = {**os.environ, "OCPIKIT_PUSH_BASE_DELAY": "0.05", "OCPIKIT_PUSH_LOCK_SECONDS": "2"}
        worker = subprocess.Popen(
            [OCPIKIT, "worker", "--database", url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while len(rec.received) < 20 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert len(rec.received) >= 20, "the worker did not start delivering"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        killed_at = len(rec.received)
        assert killed_at < 100, "the worker finished before it could be killed"

        # A new worker takes over once the dead worker's claims expire.
        restarted = subprocess.Popen(
            [OCPIKIT, "worker", "--database", url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                counts = await outbox_counts(db)
                if counts["DONE"] == 100:
                    break
                await asyncio.sleep(0.2)
        finally:
            restarted.send_signal(signal.SIGINT)
            restarted.wait(timeout=15)
        assert (await outbox_counts(db)) == {"PENDING": 0, "DONE": 100, "DEAD": 0}
        per_object: dict[str, list[int]] = {}
        for _, path, body in rec.received:
            per_object.setdefault(path, []).append(body["seq"])
        for path, seqs in per_object.items():
            # At least once: a message in flight at the kill may arrive twice, but never
            # out of order and nothing is missing.
            assert sorted(set(seqs)) == list(range(20)), path
            assert seqs == sorted(seqs), (path, seqs)
    await db.close()


def test_two_serve_workers_behave_as_one_node(tmp_path: Path):
    async def prepare() -> tuple[Databases, str, str]:
        dbs = Databases(tmp_path)
        return dbs, await dbs.new(), await dbs.new()

    dbs, cpo_db, emsp_db = asyncio.run(prepare())
    cpo_url = f"http://127.0.0.1:{free_port()}"
    emsp_url = f"http://127.0.0.1:{free_port()}"

    def run(*args: str) -> str:
        done = subprocess.run([OCPIKIT, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("init", "--database", cpo_db, "--base-url", cpo_url, "--party", "NL:CPO:CPO")
    run("init", "--database", emsp_db, "--base-url", emsp_url, "--party", "DE:MSP:EMSP")
    env = {**os.environ, "OCPIKIT_SYNC_INTERVAL": "0"}
    servers = [
        subprocess.Popen(
            [OCPIKIT, "serve", "--database", db, "--port", url.rsplit(":", 1)[1], *extra],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for db, url, extra in ((cpo_db, cpo_url, ["--workers", "2"]), (emsp_db, emsp_url, []))
    ]
    try:
        for url in (cpo_url, emsp_url):
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{url}/ocpi/versions", timeout=1)
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, f"{url} did not start"
                    time.sleep(0.1)
        token_a = run("token", "create", "--database", cpo_db).splitlines()[-1]
        run(
            "peer",
            "register",
            "--database",
            emsp_db,
            "--versions-url",
            f"{cpo_url}/ocpi/versions",
            "--token",
            token_a,
        )
        [peer] = json.loads(run("peer", "list", "--database", emsp_db, "--json"))
        assert peer["status"] == "REGISTERED"
        # Whichever worker answers, token A is dead and the registration is known.
        with httpx.Client(base_url=cpo_url) as client:
            answers = {
                client.get(
                    "/ocpi/versions", headers={"Authorization": f"Token {token_a}"}
                ).status_code
                for _ in range(20)
            }
        assert answers == {401}
        run("peer", "unregister", "--database", emsp_db, "NL:CPO")
        assert json.loads(run("peer", "list", "--database", cpo_db, "--json")) == []
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        asyncio.run(dbs.drop_all())
