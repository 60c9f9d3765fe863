"""Fixtures of the interop tests: extrawest-ocpi peers on loopback (``harness.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop.harness import (
    EXTRAWEST_VERSION,
    Extrawest,
    StartExtrawest,
    install,
    start,
    stop,
)
from tests.support import IN_CI


@pytest.fixture(scope="session")
def extrawest_python() -> str:
    """The scratch venv's Python with extrawest-ocpi installed (made once, kept across runs).

    Installing needs PyPI. When it fails, the tests skip with the reason outside CI; in CI
    (which reaches PyPI) that is a failure, so that the interop suite is never silently lost.
    """
    python, reason = install()
    if reason is not None:
        message = f"extrawest-ocpi {EXTRAWEST_VERSION} cannot be installed: {reason}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return python


@pytest.fixture
def extrawest(extrawest_python: str, tmp_path: Path) -> Iterator[StartExtrawest]:
    """Start extrawest peers: ``extrawest("CPO")``, ``extrawest("EMSP", version="2.1.1")``."""
    started: list[Extrawest] = []

    def start_one(role: str, version: str = "2.2.1") -> Extrawest:
        log = tmp_path / f"extrawest-{len(started)}.log"
        peer = start(extrawest_python, role, log, version)
        started.append(peer)
        return peer

    yield start_one
    for peer in started:
        stop(peer)
