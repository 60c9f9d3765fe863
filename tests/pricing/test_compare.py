"""Price comparison: ``POST /api/prices/compare`` and ``ocpikit compare``, on real nodes."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result
from typer.testing import CliRunner

from ocpikit import tariffs as engine
from ocpikit.cli.main import app
from tests.pricing.support import (
    ADMIN,
    AMSTERDAM,
    BERLIN,
    UTRECHT,
    energy_tariff,
    location,
    peak_tariff,
    push_to_emsp,
    save_own,
)
from tests.support import Pair

START = "2026-01-05T09:00:00+01:00"  # a Monday, 09:00 in Amsterdam
NEAR_AMSTERDAM = {"latitude": 52.37, "longitude": 4.9, "radius_km": 50}
runner = CliRunner()

TARIFFS = [
    energy_tariff("CHEAP", 0.20),  # 20 kWh: 0.50 + 4.00 = 4.50
    energy_tariff("DEAR", 0.40),  # 0.50 + 8.00 = 8.50
    energy_tariff("FAR", 0.10),  # 0.50 + 2.00 = 2.50
    peak_tariff("PEAK"),  # 09:00-10:00 local: 20 x 0.20 = 4.00
]
LOCATIONS = [
    location("UTR", ["CHEAP"], UTRECHT, name="Utrecht Centraal"),
    location("AMS", ["DEAR"], AMSTERDAM, evses=2, name="Amsterdam Centraal"),
    location("BER", ["FAR"], BERLIN, name="Berlin Hbf", country="DEU", time_zone="Europe/Berlin"),
    location("ODD", ["NOPE"], AMSTERDAM, name="Unknown tariff"),
    location("TOU", ["PEAK"], UTRECHT, name="Time of use"),
]


async def compare(pair: Pair, body: dict, status: int = 200) -> dict:
    r = await pair.emsp.client.post("/api/prices/compare", json=body, headers=ADMIN)
    assert r.status_code == status, r.text
    return r.json()


async def ocpikit(*args: str) -> Result:
    return await asyncio.to_thread(runner.invoke, app, list(args))


@pytest.fixture
async def priced(pair: Pair) -> Pair:
    """The eMSP holds the CPO's locations and tariffs (received, through the Receivers)."""
    await push_to_emsp(pair, tars=TARIFFS, locs=LOCATIONS)
    return pair


def summary(body: dict) -> list[tuple]:
    return [
        (
            e["location_id"],
            e["evse_uid"],
            e["tariff_id"],
            None if e["price"] is None else e["price"]["total_cost"]["excl_vat"],
        )
        for e in body["results"]
    ]


async def test_every_evse_sorted_by_price_unknown_tariffs_last(priced: Pair):
    body = await compare(priced, {"kwh": 20, "minutes": 60, "start": START})
    assert summary(body) == [
        ("BER", "BER-1", "FAR", 2.5),
        ("TOU", "TOU-1", "PEAK", 4),
        ("UTR", "UTR-1", "CHEAP", 4.5),
        ("AMS", "AMS-1", "DEAR", 8.5),
        ("AMS", "AMS-2", "DEAR", 8.5),
        ("ODD", "ODD-1", None, None),
    ]
    odd = body["results"][-1]
    assert odd["price"] is None and "NOPE" in odd["reason"] and odd["connector_id"] == "1"
    utr = body["results"][2]
    assert utr["currency"] == "EUR" and utr["connector_id"] == "1"
    assert utr["price"]["total_cost"] == {"excl_vat": 4.5, "incl_vat": 5.445}
    assert utr["price"]["breakdown"] == {
        "fixed": {"excl_vat": 0.5, "incl_vat": 0.605},
        "energy": {"excl_vat": 4, "incl_vat": 4.84},
        "time": {"excl_vat": 0, "incl_vat": 0},
        "parking": {"excl_vat": 0, "incl_vat": 0},
        "reservation": {"excl_vat": 0, "incl_vat": 0},
    }
    assert "distance_km" not in utr
    assert body["query"]["start"] == "2026-01-05T09:00:00+01:00"


async def test_the_breakdown_is_the_engines_estimate_in_local_time(priced: Pair):
    # 09:00-11:30 local with 11 kW: 20 kWh in 1.82 h (some after 11:00 at 0.40), then parking.
    body = await compare(
        priced,
        {"kwh": 20, "minutes": 150, "start": START, "power_kw": 11, "location_ids": ["tou"]},
    )
    [entry] = body["results"]
    expected = engine.estimate(
        engine.parse_tariff(peak_tariff("PEAK")),
        datetime.fromisoformat(START),
        Decimal(20),
        150,
        Decimal(11),
        ZoneInfo("Europe/Amsterdam"),
    )
    total = expected.total_cost
    assert entry["price"]["total_cost"] == {
        "excl_vat": float(total.excl_vat.quantize(Decimal("0.0001"))),
        "incl_vat": float(total.incl_vat.quantize(Decimal("0.0001"))),
    }
    assert entry["price"]["breakdown"]["parking"]["excl_vat"] > 0
    assert entry["power_kw"] == 11 and entry["time_zone"] == "Europe/Amsterdam"
    # The connector gives 230 V x 32 A x 3 = 22.08 kW: a 50 kW car is capped to it.
    body = await compare(
        priced, {"kwh": 20, "minutes": 60, "start": START, "power_kw": 50, "location_ids": ["UTR"]}
    )
    assert body["results"][0]["power_kw"] == 22.08


async def test_near_filters_by_distance_and_reports_it(priced: Pair):
    body = await compare(priced, {"kwh": 20, "minutes": 60, "start": START, "near": NEAR_AMSTERDAM})
    assert [e["location_id"] for e in body["results"]] == ["TOU", "UTR", "AMS", "AMS", "ODD"]
    distances = {e["location_id"]: e["distance_km"] for e in body["results"]}
    assert distances["AMS"] < 2 and 30 < distances["UTR"] < 40
    small = {**NEAR_AMSTERDAM, "radius_km": 5}
    body = await compare(priced, {"kwh": 20, "minutes": 60, "start": START, "near": small})
    assert [e["location_id"] for e in body["results"]] == ["AMS", "AMS", "ODD"]


async def test_location_ids_select_locations(priced: Pair):
    body = await compare(
        priced, {"kwh": 20, "minutes": 60, "start": START, "location_ids": ["AMS", "ber"]}
    )
    assert [e["location_id"] for e in body["results"]] == ["BER", "AMS", "AMS"]


async def test_own_tariffs_are_compared_on_the_cpo(pair: Pair):
    await save_own(pair.cpo, tars=TARIFFS[:2], locs=LOCATIONS[:2])
    r = await pair.cpo.client.post(
        "/api/prices/compare", json={"kwh": 20, "minutes": 60}, headers=ADMIN
    )
    assert r.status_code == 200
    assert [e["tariff_id"] for e in r.json()["results"]] == ["CHEAP", "DEAR", "DEAR"]
    assert r.json()["query"]["start"]  # defaults to now


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": 60}, "kwh"),
        ({"kwh": -1, "minutes": 60}, "kwh"),
        ({"kwh": 10, "minutes": 0}, "minutes"),
        ({"kwh": 10, "minutes": 60, "start": "2026-01-05T09:00:00"}, "start"),
        ({"kwh": 10, "minutes": 60, "start": "tomorrow"}, "start"),
        ({"kwh": 10, "minutes": 60, "power_kw": 0}, "power_kw"),
        ({"kwh": 10, "minutes": 60, "near": {"latitude": 91, "longitude": 4}}, "latitude"),
        (
            {"kwh": 10, "minutes": 60, "near": {"latitude": 52, "longitude": 4, "radius_km": -1}},
            "radius_km",
        ),
        ({"kwh": 10, "minutes": 60, "colour": "red"}, "colour"),
        ({"kwh": 10, "minutes": 60, "token": {"type": "RFID", "issuer": "X"}}, "token"),
        ({"kwh": 10, "minutes": 60, "token": {"uid": "x" * 37}}, "uid"),
        ({"kwh": 10, "minutes": 60, "token": {"uid": "A", "type": "CARD"}}, "type"),
        ({"kwh": 10, "minutes": 60, "token": {"uid": "A", "contract_id": "C"}}, "contract_id"),
    ],
)
async def test_bad_questions_are_422_naming_the_field(pair: Pair, body: dict, field: str):
    r = await pair.emsp.client.post("/api/prices/compare", json=body, headers=ADMIN)
    assert r.status_code == 422
    assert field in [str(p) for e in r.json()["detail"] for p in e["loc"]]


async def test_compare_needs_the_admin_token(pair: Pair):
    r = await pair.emsp.client.post("/api/prices/compare", json={"kwh": 1, "minutes": 1})
    assert r.status_code == 401


async def test_cli_json_equals_the_api(priced: Pair):
    body = {"kwh": 20, "minutes": 60, "start": START, "power_kw": 11, "near": NEAR_AMSTERDAM}
    api = await compare(priced, body)
    result = await ocpikit(
        "compare",
        "--database",
        priced.emsp.database_url,
        "--kwh",
        "20",
        "--minutes",
        "60",
        "--start",
        START,
        "--power",
        "11",
        "--near",
        "52.37,4.9",
        "--radius",
        "50",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == api
    result = await ocpikit(
        "compare",
        "--database",
        priced.emsp.database_url,
        "--kwh=20",
        "--minutes=60",
        f"--start={START}",
        "--location=AMS",
        "--location=UTR",
        "--json",
    )
    assert json.loads(result.stdout) == await compare(
        priced, {"kwh": 20, "minutes": 60, "start": START, "location_ids": ["AMS", "UTR"]}
    )


async def test_cli_table_and_errors(priced: Pair):
    db = priced.emsp.database_url
    result = await ocpikit(
        "compare", "--database", db, "--kwh", "20", "--minutes", "60", "--start", START
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout
    assert lines.index("Berlin") < lines.index("Utrecht") < lines.index("Unknown")
    assert "EUR 2.50" in lines and "EUR 3.03" in lines and "NOPE" in lines
    result = await ocpikit("compare", "--database", db, "--kwh", "-1", "--minutes", "60")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --kwh: ")
    result = await ocpikit(
        "compare", "--database", db, "--kwh", "1", "--minutes", "6", "--near", "52.3"
    )
    assert result.exit_code == 1 and "--near" in result.stderr
    result = await ocpikit(
        "compare",
        "--database",
        db,
        "--kwh",
        "1",
        "--minutes",
        "6",
        "--start",
        "2026-01-05T09:00:00",
    )
    assert result.exit_code == 1 and "--start" in result.stderr


# ---- publish=false: shown to drivers only for a matching token (LOC-07) -------------------

PUBLIC = ["TOU", "UTR", "AMS", "AMS", "ODD"]  # near Amsterdam, cheapest first
UNPUBLISHED = [
    location(  # UC5: a home charge point, its owner's card and app token
        "HOME",
        ["CHEAP"],
        AMSTERDAM,
        name="Home",
        publish=False,
        publish_allowed_to=[
            {"visual_number": "0123456-99", "issuer": "MoveMove"},
            {"uid": "abc123", "type": "APP_USER"},
        ],
    ),
    location(  # UC4: a depot, any token of the fleet's group
        "DEPOT",
        ["CHEAP"],
        AMSTERDAM,
        name="Depot",
        publish=False,
        publish_allowed_to=[{"group_id": "FLEET-7"}],
    ),
    location("GUESTS", ["CHEAP"], AMSTERDAM, name="Guests only", publish=False),  # UC3
]
ASK = {"kwh": 20, "minutes": 60, "start": START, "near": NEAR_AMSTERDAM}


@pytest.fixture
async def private(priced: Pair) -> Pair:
    """``priced``, and the eMSP also holds the CPO's locations with ``publish=false``."""
    await push_to_emsp(priced, locs=UNPUBLISHED)
    return priced


def shown(body: dict) -> list[str]:
    return [e["location_id"] for e in body["results"]]


async def test_unpublished_locations_are_hidden_without_a_token(private: Pair):
    assert shown(await compare(private, ASK)) == PUBLIC
    body = await compare(private, {**ASK, "location_ids": ["HOME", "DEPOT", "GUESTS"]})
    assert body["results"] == [] and body["query"]["token"] is None


@pytest.mark.parametrize(
    "token",
    [
        {"uid": "abc123", "type": "RFID"},  # the entry's type is APP_USER
        {"uid": "abc1234", "type": "APP_USER"},
        {"uid": "abc123"},  # the entry sets type too
        {"visual_number": "0123456-99", "issuer": "movemove"},  # string: case counts
        {"visual_number": "0123456-99"},  # the entry sets issuer too
        {"visual_number": "0123456-99 ", "issuer": "MoveMove"},
        {"group_id": "FLEET-8"},
        {"group_id": "FLEET", "uid": "abc", "type": "APP_USER"},
    ],
)
async def test_unpublished_locations_are_hidden_from_a_token_that_does_not_match(
    private: Pair, token: dict
):
    assert shown(await compare(private, {**ASK, "token": token})) == PUBLIC


@pytest.mark.parametrize(
    ("token", "extra"),
    [
        ({"uid": "ABC123", "type": "APP_USER"}, "HOME"),  # uid is a CiString
        ({"visual_number": "0123456-99", "issuer": "MoveMove"}, "HOME"),
        ({"visual_number": "0123456-99", "issuer": "MoveMove", "group_id": "X"}, "HOME"),
        ({"group_id": "fleet-7"}, "DEPOT"),
        ({"group_id": "FLEET-7", "uid": "ANY", "type": "RFID"}, "DEPOT"),
    ],
)
async def test_a_matching_token_is_shown_the_unpublished_location(
    private: Pair, token: dict, extra: str
):
    body = await compare(private, {**ASK, "token": token})
    assert sorted(shown(body)) == sorted([*PUBLIC, extra])  # never GUESTS: no one is allowed
    [entry] = [e for e in body["results"] if e["location_id"] == extra]
    assert entry["tariff_id"] == "CHEAP" and entry["price"]["total_cost"]["excl_vat"] == 4.5
    assert body["query"]["token"] == token


async def test_unpublished_location_pushed_by_the_cpo_is_compared_for_its_owner(pair: Pair):
    # End to end: the CPO pushes its publish=false location (UC5) and tariff to the eMSP,
    # whose price comparison shows it to the owner's token only.
    await save_own(pair.cpo, tars=TARIFFS[:1], locs=UNPUBLISHED[:1])
    ask = {"kwh": 20, "minutes": 60, "start": START}
    owner = {**ask, "token": {"visual_number": "0123456-99", "issuer": "MoveMove"}}
    deadline = asyncio.get_running_loop().time() + 10
    while not shown(await compare(pair, owner)):
        assert asyncio.get_running_loop().time() < deadline, "the push did not arrive"
        await asyncio.sleep(0.05)
    assert shown(await compare(pair, owner)) == ["HOME"]
    assert shown(await compare(pair, ask)) == []
    assert shown(await compare(pair, {**ask, "token": {"group_id": "FLEET-7"}})) == []
    # The CPO's own comparison follows the same rule.
    r = await pair.cpo.client.post("/api/prices/compare", json=ask, headers=ADMIN)
    assert r.json()["results"] == []
    r = await pair.cpo.client.post("/api/prices/compare", json=owner, headers=ADMIN)
    assert shown(r.json()) == ["HOME"]


async def test_cli_token_options_equal_the_api(private: Pair):
    token = {"uid": "abc123", "type": "APP_USER", "group_id": "FLEET-7"}
    result = await ocpikit(
        "compare",
        "--database",
        private.emsp.database_url,
        "--kwh=20",
        "--minutes=60",
        f"--start={START}",
        "--token-uid=abc123",
        "--token-type=APP_USER",
        "--token-group-id=FLEET-7",
        "--json",
    )
    assert result.exit_code == 0, result.output
    api = await compare(private, {"kwh": 20, "minutes": 60, "start": START, "token": token})
    assert json.loads(result.stdout) == api
    assert {"HOME", "DEPOT"} <= set(shown(api)) and "GUESTS" not in shown(api)
    result = await ocpikit(
        "compare",
        "--database",
        private.emsp.database_url,
        "--kwh=20",
        "--minutes=60",
        "--token-visual-number=0123456-99",
        "--token-issuer=MoveMove",
    )
    assert result.exit_code == 0 and "Home" in result.stdout and "Depot" not in result.stdout
    result = await ocpikit(
        "compare",
        "--database",
        private.emsp.database_url,
        "--kwh=1",
        "--minutes=6",
        "--token-type=RFID",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --token-uid/--token-visual-number/--token-group-id: ")
    result = await ocpikit(
        "compare",
        "--database",
        private.emsp.database_url,
        "--kwh=1",
        "--minutes=6",
        "--token-uid=A",
        "--token-type=CARD",
    )
    assert result.exit_code == 1 and result.stderr.startswith("error: --token-type: ")
