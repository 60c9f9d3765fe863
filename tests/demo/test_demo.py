"""``ocpikit demo --fast --no-serve``: the whole narrated flow, as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.support import BACKEND

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        BACKEND != "sqlite", reason="the demo always runs on SQLite: the SQLite run covers it"
    ),
]

OCPIKIT = str(Path(sys.executable).parent / "ocpikit")
LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3}  (CPO |eMSP|demo)  (.+)$")


def ocpikit(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OCPIKIT, *args], capture_output=True, text=True, timeout=timeout)


def test_demo_runs_from_registration_to_a_priced_cdr(tmp_path: Path):
    result = ocpikit(
        "demo", "--fast", "--no-serve", "--dir", str(tmp_path),
        "--cpo-port", "0", "--emsp-port", "0",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    narration = [
        (m[1].strip(), m[2]) for m in map(LINE.match, result.stdout.splitlines()) if m is not None
    ]
    said = "\n".join(f"{who}: {what}" for who, what in narration)

    def step(who: str, pattern: str) -> int:
        """The index of the first narration line of ``who`` matching ``pattern``."""
        for index, (speaker, what) in enumerate(narration):
            if speaker == who and re.search(pattern, what):
                return index
        raise AssertionError(f"no {who} line matching {pattern!r} in:\n{said}")

    order = [
        step("eMSP", r"registered with NL\*DMO via OCPI 2\.2\.1"),
        step("CPO", r"registered the eMSP as peer \d+"),
        step("CPO", r"pushed 2 tariffs and 3 locations to NL\*MSP"),
        step("eMSP", r"stored 2 tariffs and 3 locations from NL\*DMO"),
        step("eMSP", r"pushed 3 tokens to NL\*DMO"),
        step("CPO", r"stored 3 tokens from NL\*MSP"),
        step("eMSP", r"sends START_SESSION for token \S+ \(APP_USER\) at EVSE NL\*DMO\*E"),
        step("CPO", r"CommandResponse ACCEPTED for START_SESSION"),
        step("eMSP", r"CommandResult ACCEPTED for START_SESSION"),
        step("eMSP", r"session \S+ ACTIVE: [\d.]+ kWh, €[\d.]+ incl\. VAT so far"),
        step("eMSP", r"sends STOP_SESSION for session"),
        step("eMSP", r"CommandResult ACCEPTED for STOP_SESSION"),
        step("eMSP", r"session \S+ COMPLETED"),
        step("eMSP", r"CDR \S+ received at the eMSP: [\d.]+ kWh, \d:\d\d:\d\d h, total €[\d.]+"),
        step("eMSP", r"price check: .*equal"),
    ]
    assert order == sorted(order), said
    updates = [w for who, w in narration if who == "eMSP" and re.search(r"ACTIVE: .* so far", w)]
    assert len(updates) >= 2, said

    exported = ocpikit("export", "cdrs", "--database", f"sqlite:///{tmp_path / 'emsp.db'}")
    assert exported.returncode == 0, exported.stderr
    [cdr] = [json.loads(line) for line in exported.stdout.splitlines()]
    assert (cdr["country_code"], cdr["party_id"]) == ("NL", "DMO")
    assert cdr["cdr_token"]["type"] == "APP_USER"
    assert cdr["total_energy"] > 0 and cdr["total_cost"]["incl_vat"] > cdr["total_cost"]["excl_vat"]
    [total] = re.findall(r"total €([\d.]+) incl\. VAT", said)
    cents = Decimal(str(cdr["total_cost"]["incl_vat"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert total == str(cents)


def test_demo_refuses_a_directory_of_an_earlier_demo(tmp_path: Path):
    (tmp_path / "emsp.db").write_bytes(b"")
    result = ocpikit("demo", "--no-serve", "--dir", str(tmp_path), timeout=30)
    assert result.returncode != 0
    assert result.stderr.startswith("error:") and "emsp.db" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
