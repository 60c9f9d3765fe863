"""Two real `ocpikit serve` processes on loopback, driven only by the CLI of the README."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests import factories
from tests.support import BACKEND, free_port

pytestmark = pytest.mark.e2e

OCPIKIT = str(Path(sys.executable).parent / "ocpikit")


def cli(
    *args: str, input: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [OCPIKIT, *args], capture_output=True, text=True, input=input, timeout=60
    )
    if check and result.returncode != 0:
        raise AssertionError(f"ocpikit {' '.join(args)} failed: {result.stderr}")
    return result


@dataclass
class Node:
    database: str
    url: str
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] | None = None

    def start(self) -> None:
        port = self.url.rsplit(":", 1)[1]
        env = {**os.environ, "OCPIKIT_SYNC_INTERVAL": "0", **(self.env or {})}
        self.process = subprocess.Popen(
            [OCPIKIT, "serve", "--database", self.database, "--port", port],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/ocpi/versions", timeout=1)
                return
            except httpx.HTTPError as exc:
                if self.process.poll() is not None:
                    stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise AssertionError(f"ocpikit serve exited: {stderr}") from exc
                time.sleep(0.1)
        raise AssertionError("ocpikit serve did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / 'cpo.db'}", f"sqlite:///{tmp_path / 'emsp.db'}"
        return
    import asyncio

    from tests.support import Databases

    dbs = Databases(tmp_path)
    yield asyncio.run(dbs.new()), asyncio.run(dbs.new())
    asyncio.run(dbs.drop_all())


@pytest.fixture
def nodes(urls: tuple[str, str]) -> Iterator[tuple[Node, Node]]:
    cpo = Node(urls[0], f"http://127.0.0.1:{free_port()}")
    emsp = Node(urls[1], f"http://127.0.0.1:{free_port()}")
    cli(
        "init", "--database", cpo.database, "--base-url", cpo.url, "--party", "NL:CPO:CPO:Charge Co"
    )
    cli("init", "--database", emsp.database, "--base-url", emsp.url, "--party", "DE:MSP:EMSP")
    cpo.start()
    emsp.start()
    try:
        yield cpo, emsp
    finally:
        cpo.stop()
        emsp.stop()


def token_works(base: str, token: str) -> bool:
    r = httpx.get(f"{base}/ocpi/versions", headers={"Authorization": f"Token {token}"})
    return r.status_code == 200


def wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_register_rotate_unregister_with_the_cli(nodes: tuple[Node, Node]):
    cpo, emsp = nodes
    token_a = cli(
        "token", "create", "--database", cpo.database, "--label", "emsp"
    ).stdout.splitlines()[-1]
    assert token_works(cpo.url, token_a)

    out = cli(
        "peer",
        "register",
        "--database",
        emsp.database,
        "--versions-url",
        f"{cpo.url}/ocpi/versions",
        "--token",
        token_a,
    )
    assert "registered with NL:CPO" in out.stdout
    assert not token_works(cpo.url, token_a)

    [at_emsp] = json.loads(cli("peer", "list", "--database", emsp.database, "--json").stdout)
    [at_cpo] = json.loads(cli("peer", "list", "--database", cpo.database, "--json").stdout)
    assert at_emsp["status"] == at_cpo["status"] == "REGISTERED"
    assert at_emsp["roles"] == [{"role": "CPO", "country_code": "NL", "party_id": "CPO"}]
    assert at_cpo["roles"] == [{"role": "EMSP", "country_code": "DE", "party_id": "MSP"}]
    assert {e["identifier"] for e in at_emsp["endpoints"]} >= {
        "credentials",
        "locations",
        "tariffs",
    }

    out = cli("peer", "update", "--database", emsp.database, "NL:CPO")
    assert "tokens rotated" in out.stdout

    out = cli("peer", "unregister", "--database", emsp.database, "NL:CPO")
    assert "unregistered" in out.stdout
    [gone] = json.loads(
        cli("peer", "list", "--database", cpo.database, "--json").stdout or "[]"
    ) or [None]
    assert gone is None  # the CPO forgot the eMSP too (DELETE credentials)


def test_loaded_locations_are_pushed_to_the_registered_peer(
    nodes: tuple[Node, Node], tmp_path: Path
):
    cpo, emsp = nodes
    token_a = cli("token", "create", "--database", cpo.database).stdout.splitlines()[-1]
    cli(
        "peer",
        "register",
        "--database",
        emsp.database,
        "--versions-url",
        f"{cpo.url}/ocpi/versions",
        "--token",
        token_a,
    )
    file = tmp_path / "locations.json"
    file.write_text(json.dumps([factories.location(f"LOC{i}") for i in range(3)]))
    cli("load", "locations", str(file), "--database", cpo.database, "--party", "NL:CPO")

    def arrived() -> bool:
        lines = cli("export", "locations", "--database", emsp.database).stdout.splitlines()
        return len(lines) == 3

    wait_until(arrived)
    exported = [
        json.loads(line)
        for line in cli("export", "locations", "--database", emsp.database).stdout.splitlines()
    ]
    assert sorted(e["id"] for e in exported) == ["LOC0", "LOC1", "LOC2"]


def test_cli_errors_are_one_sentence_and_non_zero(nodes: tuple[Node, Node]):
    cpo, emsp = nodes
    result = cli(
        "peer",
        "register",
        "--database",
        emsp.database,
        "--versions-url",
        f"{cpo.url}/ocpi/versions",
        "--token",
        "wrong",
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.startswith("error:") and len(result.stderr.strip().splitlines()) == 1
    result = cli("peer", "unregister", "--database", emsp.database, "XX:NOP", check=False)
    assert result.returncode != 0 and "no registered peer" in result.stderr
    result = cli("token", "create", "--database", "sqlite:////nonexistent/dir/x.db", check=False)
    assert result.returncode != 0 and result.stderr.startswith("error:")
