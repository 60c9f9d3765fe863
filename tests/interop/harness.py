"""The extrawest-ocpi harness shared by the interop tests: its venv, its process, its state.

The ``extrawest-ocpi`` package (PyPI, pinned below) is installed once into a scratch virtual
environment ``.venv-interop`` at the repository root (its dependency pins, pydantic 1 and an
old FastAPI, clash with ours) and run as a subprocess by ``extrawest_peer.py``, in CPO or
eMSP role, offering one OCPI version (2.2.1 or 2.1.1), with its data in memory. The
fixtures (``extrawest_python``, ``extrawest``) are in this folder's ``conftest.py``.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx

from tests.support import Databases, RunningNode, free_port, running_node

__all__ = [
    "EXTRAWEST_VERSION",
    "XW_PARTY",
    "Extrawest",
    "StartExtrawest",
    "b64",
    "install",
    "now",
    "ocpikit_node",
    "received_object",
    "start",
    "stop",
    "wait_for",
]

EXTRAWEST_VERSION = "2025.7.16"
# extrawest-ocpi is a library: the peer script serves it with uvicorn, which it does not pin.
UVICORN_VERSION = "0.30.6"
REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-interop"
PEER_SCRIPT = Path(__file__).with_name("extrawest_peer.py")
STAMP = VENV / f".ocpikit-extrawest-{EXTRAWEST_VERSION}-uvicorn-{UVICORN_VERSION}"
XW_PARTY = ("NL", "XWC")


def _install() -> str | None:
    """Create the scratch venv with the pinned packages; None on success, else why not."""
    python = VENV / "bin" / "python"
    steps = []
    if not python.exists():
        steps.append([sys.executable, "-m", "venv", str(VENV)])
    steps.append(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"extrawest-ocpi=={EXTRAWEST_VERSION}",
            f"uvicorn=={UVICORN_VERSION}",
        ]
    )
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{' '.join(step[:4])} failed: {exc}"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return f"{' '.join(step[:4])} failed: {' | '.join(tail)}"
    STAMP.touch()
    return None


def install() -> tuple[str, str | None]:
    """The scratch venv's Python, made once and kept across runs; and why not, if it failed."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    # pytest-xdist workers share the venv: one installs, the others wait for it.
    with open(REPO / ".venv-interop.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        reason = None if STAMP.exists() else _install()
    return str(VENV / "bin" / "python"), reason


@dataclass
class Extrawest:
    """One running extrawest-ocpi peer."""

    role: str
    version: str
    url: str
    token_a: str
    process: subprocess.Popen[bytes]

    @property
    def versions_url(self) -> str:
        return f"{self.url}/ocpi/versions"

    def state(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/debug/state", timeout=5).json()

    def requests(self) -> list[dict[str, str]]:
        return httpx.get(f"{self.url}/debug/requests", timeout=5).json()

    def put_own(self, module: str, obj: dict[str, Any]) -> None:
        httpx.put(f"{self.url}/debug/own/{module}/{obj['id']}", json=obj, timeout=5)


class StartExtrawest(Protocol):
    """The ``extrawest`` fixture: start a peer in ``role`` offering only ``version``."""

    def __call__(self, role: str, version: str = "2.2.1") -> Extrawest: ...


def start(python: str, role: str, log: Path, version: str = "2.2.1") -> Extrawest:
    """Start a peer offering only ``version`` and wait until it serves (30 s at most)."""
    port = free_port()
    token_a = secrets.token_urlsafe(24)
    # Its debug log goes to a file: a pipe nobody reads would fill up and block it.
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [python, str(PEER_SCRIPT), f"--port={port}", f"--role={role}", f"--token-a={token_a}"]
            + [f"--party={':'.join(XW_PARTY)}", f"--version={version}"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=str(PEER_SCRIPT.parent),  # not the repo root: the package reads an .env there
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"extrawest peer exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(f"{url}/debug/state", timeout=1)
            return Extrawest(role=role, version=version, url=url, token_a=token_a, process=process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise AssertionError(f"extrawest peer did not start in 30 s: {log.read_text()[-2000:]}")


def stop(peer: Extrawest) -> None:
    if peer.process.poll() is None:
        peer.process.terminate()
        try:
            peer.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            peer.process.kill()
            peer.process.wait()


@asynccontextmanager
async def ocpikit_node(
    databases: Databases, party: tuple[str, str, str], **settings: object
) -> AsyncIterator[RunningNode]:
    async with running_node(
        await databases.new(), [party], push_base_delay=0.2, **settings
    ) as node:
        yield node


def b64(token: str) -> str:
    return base64.b64encode(token.encode()).decode()


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def received_object(state: dict[str, Any], module: str, object_id: str) -> dict[str, Any] | None:
    """An object the peer received (eMSP role), by module and id."""
    for item in state["received"]:
        if item["module"] == module and item["id"] == object_id:
            return dict(item["object"])
    return None


async def wait_for(
    xw: Extrawest, found: Callable[[dict[str, Any]], Any], timeout: float = 15.0
) -> Any:
    """Poll the peer's state until ``found`` returns something true (``timeout`` s at most)."""
    deadline = time.monotonic() + timeout
    while True:
        state = await asyncio.to_thread(xw.state)
        value = found(state)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not received in {timeout} s: {state['received']}")
        await asyncio.sleep(0.1)
