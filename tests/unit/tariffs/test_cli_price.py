"""``ocpikit price``, registered the way the main CLI does it, driven with CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ocpikit.cli.price import price_command
from tests.unit.tariffs.helpers import DATA

cli = typer.Typer()


@cli.callback()
def _root() -> None:
    """Stands in for the main ``ocpikit`` app."""


cli.command("price")(price_command)
runner = CliRunner()

COMPLEX_MONDAY = {
    "start_date_time": "2024-01-15T08:30:00Z",
    "end_date_time": "2024-01-15T11:57:00Z",
    "cdr_location": {"country": "NLD", "coordinates": {"latitude": "52.37", "longitude": "4.89"}},
    "charging_periods": [
        {
            "start_date_time": "2024-01-15T08:30:00Z",
            "dimensions": [{"type": "TIME", "volume": 2.75}, {"type": "MAX_CURRENT", "volume": 16}],
        },
        {
            "start_date_time": "2024-01-15T11:15:00Z",
            "dimensions": [{"type": "PARKING_TIME", "volume": 0.7}],
        },
    ],
}


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(cli, ["price", *args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


def test_price_json_prints_the_cdr_totals_as_numbers() -> None:
    doc = run_json(
        "--tariff",
        str(DATA / "simple_3hour_5parking/tariff.json"),
        "--cdr",
        str(DATA / "simple_3hour_5parking/cdr1.json"),
        "--timezone",
        "UTC",
    )
    assert doc["total_cost"] == {"excl_vat": 11.25, "incl_vat": 12.75}
    assert doc["total_time_cost"] == {"excl_vat": 7.5, "incl_vat": 8.25}
    assert doc["total_parking_cost"] == {"excl_vat": 3.75, "incl_vat": 4.5}
    for key in ("total_fixed_cost", "total_energy_cost", "total_reservation_cost"):
        assert doc[key] == {"excl_vat": 0, "incl_vat": 0}
    assert doc["total_energy"] == 0
    assert doc["total_time"] == pytest.approx(3.2)
    assert doc["total_parking_time"] == pytest.approx(0.7)


def test_price_uses_the_zone_of_the_cdr_country_when_no_timezone_is_given(tmp_path: Path) -> None:
    cdr = write(tmp_path, "cdr.json", COMPLEX_MONDAY)
    tariff = str(DATA / "complex/tariff.json")
    local = run_json("--tariff", tariff, "--cdr", str(cdr))
    assert local["time_zone"] == "Europe/Amsterdam"
    assert local["total_cost"] == {"excl_vat": 9, "incl_vat": 10.3}
    # In UTC the parking starts at 11:15 but the same 09:00-18:00 window applies: same total,
    # while in Asia/Tokyo (20:15 local) parking is free.
    tokyo = run_json("--tariff", tariff, "--cdr", str(cdr), "--timezone", "Asia/Tokyo")
    assert tokyo["total_parking_cost"] == {"excl_vat": 0, "incl_vat": 0}


def test_price_prints_tables_by_default() -> None:
    result = runner.invoke(
        cli,
        [
            "price",
            "--tariff",
            str(DATA / "step_size/tariff.json"),
            "--cdr",
            str(DATA / "step_size/cdr1.json"),
            "--timezone",
            "UTC",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Totals (EUR)" in result.stdout
    assert "0.5502" in result.stdout
    assert "parking" in result.stdout


def test_price_accepts_a_session(tmp_path: Path) -> None:
    session = {
        "status": "ACTIVE",
        "start_date_time": "2024-03-04T10:00:00Z",
        "charging_periods": [
            {
                "start_date_time": "2024-03-04T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": 20}],
            }
        ],
    }
    doc = run_json(
        "--tariff",
        str(DATA / "025kwh_start/tariff.json"),
        "--cdr",
        str(write(tmp_path, "s.json", session)),
    )
    assert doc["total_cost"] == {"excl_vat": 5.5, "incl_vat": 6.1}
    assert doc["time_zone"] == "UTC"


@pytest.mark.parametrize(
    ("tariff_text", "cdr_text", "timezone", "message"),
    [
        ("{not json", None, None, "is not valid JSON"),
        ('{"currency": "EUR", "elements": []}', None, None, "elements: must contain at least one"),
        (
            None,
            '{"start_date_time": "2024-01-01T00:00:00Z"}',
            None,
            "end_date_time: required field is missing",
        ),
        (None, None, "Mars/Olympus", "is not a known IANA time zone"),
        ("[1, 2]", None, None, "must hold one JSON object"),
    ],
)
def test_price_reports_errors_in_one_sentence(
    tmp_path: Path,
    tariff_text: str | None,
    cdr_text: str | None,
    timezone: str | None,
    message: str,
) -> None:
    tariff = write(tmp_path, "t.json", tariff_text) if tariff_text else DATA / "complex/tariff.json"
    cdr = (
        write(tmp_path, "c.json", cdr_text)
        if cdr_text
        else write(tmp_path, "c.json", COMPLEX_MONDAY)
    )
    args = ["price", "--tariff", str(tariff), "--cdr", str(cdr)]
    if timezone:
        args += ["--timezone", timezone]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_price_reports_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["price", "--tariff", str(tmp_path / "nope.json"), "--cdr", str(tmp_path / "c.json")]
    )
    assert result.exit_code == 1
    assert "cannot read the tariff file" in result.stderr
