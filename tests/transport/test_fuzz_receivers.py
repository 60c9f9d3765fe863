"""Property: whatever a peer sends to a Receiver, the node answers an OCPI envelope, never a
500, and stores nothing invalid.

Hypothesis mutates valid objects (a field replaced by any JSON value, dropped, or made
over-long; a nested field likewise) and sends them, or arbitrary JSON and bytes, to every
Receiver interface of two registered nodes on loopback. Afterwards every stored object must
still validate against its model: bad input is refused, it never corrupts stored data.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.locations import Location
from ocpikit.protocol.v221.sessions import Session
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.protocol.v221.tokens import Token
from ocpikit.storage.objects import ListQuery, ObjectStore
from tests import factories
from tests.support import Databases, Pair, RunningNode, running_node
from tests.versions import ocpi_path


def receiver_path(path: str) -> str:
    """A Target's path under its module's Receiver: the fuzzing is 2.2.1's (2.2.1 bodies)."""
    module, _, rest = path.lstrip("/").partition("/")
    return ocpi_path("2.2.1", module, "RECEIVER") + (f"/{rest}" if rest else "")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)


@dataclass(frozen=True)
class Target:
    """One Receiver interface: who calls it, how, and a valid body to start from."""

    name: str
    method: str
    path: str
    valid: Callable[[], Any]
    to_cpo: bool  # the eMSP calls the CPO (tokens, commands...), else the CPO calls the eMSP


TARGETS = [
    Target("location PUT", "PUT", "/locations/NL/CPO/LOC1", factories.location, False),
    Target(
        "EVSE PATCH",
        "PATCH",
        "/locations/NL/CPO/LOC1/LOC1-1",
        lambda: {"status": "CHARGING", "last_updated": "2026-02-01T00:00:00Z"},
        False,
    ),
    Target("session PUT", "PUT", "/sessions/NL/CPO/S1", factories.session, False),
    Target(
        "session PATCH",
        "PATCH",
        "/sessions/NL/CPO/S1",
        lambda: {
            "kwh": 2.5,
            "charging_periods": [factories.charging_period()],
            "last_updated": "2026-02-01T00:00:00Z",
        },
        False,
    ),
    Target("CDR POST", "POST", "/cdrs", factories.cdr, False),
    Target("tariff PUT", "PUT", "/tariffs/NL/CPO/T1", factories.tariff, False),
    Target("token PUT", "PUT", "/tokens/DE/MSP/012345678?type=RFID", factories.token, True),
    Target(
        "token PATCH",
        "PATCH",
        "/tokens/DE/MSP/012345678?type=RFID",
        lambda: {"valid": False, "last_updated": "2026-02-01T00:00:00Z"},
        True,
    ),
    Target(
        "START_SESSION",
        "POST",
        "/commands/START_SESSION",
        lambda: {
            "response_url": "http://127.0.0.1:1/callback/1",
            "token": factories.token(),
            "location_id": "LOC1",
            "evse_uid": "LOC1-1",
        },
        True,
    ),
    Target(
        "charging profile PUT",
        "PUT",
        "/chargingprofiles/S1",
        lambda: {
            "response_url": "http://127.0.0.1:1/callback/2",
            "charging_profile": {
                "charging_rate_unit": "W",
                "charging_profile_period": [{"start_period": 0, "limit": 11000}],
            },
        },
        True,
    ),
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()  # the standard library writes integers of any size


@st.composite
def bodies(draw: st.DrawFn, target: Target) -> bytes:
    """A request body: a mutated valid object, arbitrary JSON, or bytes."""
    kind = draw(st.sampled_from(["replace", "replace", "drop", "long", "json", "bytes"]))
    if kind == "json":
        return _dumps(draw(json_values))
    if kind == "bytes":
        return draw(st.binary(max_size=60))
    body = copy.deepcopy(target.valid())
    path = draw(st.sampled_from(_paths(body)))
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if kind == "drop" and isinstance(parent, dict):
        del parent[last]
    elif kind == "long":
        parent[last] = "x" * draw(st.integers(37, 600))
    else:
        parent[last] = draw(json_values)
    return _dumps(body)


def _assert_envelope(target: Target, body: bytes, status: int, answer: bytes) -> None:
    context = f"{target.name}: {body[:300]!r} -> HTTP {status} {answer[:300]!r}"
    assert status < 500, context
    envelope = orjson.loads(answer)
    assert isinstance(envelope, dict), context
    assert isinstance(envelope.get("status_code"), int), context
    assert isinstance(envelope.get("timestamp"), str), context
    if envelope["status_code"] >= 2000:
        assert status >= 200, context


MODELS: dict[str, type[BaseModel]] = {
    "locations": Location,
    "sessions": Session,
    "cdrs": CDR,
    "tariffs": Tariff,
    "tokens": Token,
}


async def _assert_stored_objects_valid(node: RunningNode) -> int:
    checked = 0
    async with node.db.connect() as conn:
        store = ObjectStore(conn)
        for module, model in MODELS.items():
            for stored in await store.all(ListQuery(module=module)):
                model.model_validate_json(stored.data)
                checked += 1
    return checked


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_receivers_answer_every_body_with_an_envelope_never_a_500(
    pair: Pair, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(TARGETS), label="target")
    body = data.draw(bodies(target), label="body")
    node, headers = (
        (pair.cpo, pair.cpo_headers()) if target.to_cpo else (pair.emsp, pair.emsp_headers())
    )
    response = await node.client.request(
        target.method,
        receiver_path(target.path),
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    _assert_envelope(target, body, response.status_code, response.content)
    await _assert_stored_objects_valid(pair.emsp)
    await _assert_stored_objects_valid(pair.cpo)


async def test_the_valid_bodies_are_accepted(pair: Pair) -> None:
    """The starting points of the fuzzing are valid, so the mutations test what they should."""
    locations = next(t for t in TARGETS if t.name == "location PUT")
    r = await pair.emsp.client.put(
        receiver_path(locations.path), json=locations.valid(), headers=pair.emsp_headers()
    )
    assert r.json()["status_code"] == 1000
    for target in TARGETS:
        node, headers = (
            (pair.cpo, pair.cpo_headers()) if target.to_cpo else (pair.emsp, pair.emsp_headers())
        )
        r = await node.client.request(
            target.method, receiver_path(target.path), json=target.valid(), headers=headers
        )
        assert r.json()["status_code"] == 1000, (target.name, r.json())
    assert await _assert_stored_objects_valid(pair.emsp) >= 4


SENDER_LISTS = [
    (ocpi_path("2.2.1", "locations", "SENDER"), False),
    (ocpi_path("2.2.1", "sessions", "SENDER"), False),
    (ocpi_path("2.2.1", "cdrs", "SENDER"), False),
    (ocpi_path("2.2.1", "tariffs", "SENDER"), False),
    (ocpi_path("2.2.1", "tokens", "SENDER"), True),
]
param_values = st.one_of(
    st.text(max_size=30),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["2026-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "yesterday", "", "-1"]),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(SENDER_LISTS),
    params=st.dictionaries(
        st.sampled_from(["offset", "limit", "date_from", "date_to", "x"]), param_values, max_size=4
    ),
)
async def test_sender_lists_answer_any_query_with_an_envelope_never_a_500(
    pair: Pair, target: tuple[str, bool], params: dict[str, str]
) -> None:
    path, emsp_side = target
    node, headers = (
        (pair.emsp, pair.emsp_headers()) if emsp_side else (pair.cpo, pair.cpo_headers())
    )
    response = await node.client.get(path, params=params, headers=headers)
    context = f"{path} {params!r} -> HTTP {response.status_code} {response.content[:300]!r}"
    assert response.status_code < 500, context
    envelope = response.json()
    assert isinstance(envelope.get("status_code"), int), context
    if envelope["status_code"] == 1000:
        assert isinstance(envelope["data"], list), context


async def test_a_huge_offset_is_an_empty_page(vpair: Pair) -> None:
    """Found by the property above on PostgreSQL: offset 2**31 overflowed a query parameter."""
    for offset in ("2147483648", "9" * 30):
        r = await vpair.cpo.client.get(
            vpair.cpo_url("locations", "SENDER"),
            params={"offset": offset},
            headers=vpair.cpo_headers(),
        )
        assert r.status_code == 200 and r.json()["data"] == [], r.text
        assert "Link" not in r.headers


async def test_operator_cursors_beyond_any_id_are_refused_not_a_500(databases: Databases) -> None:
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")], admin_token="a") as n:
        auth = {"Authorization": "Bearer a"}
        for path in ("/api/events", "/api/objects/locations", "/api/cdrs/disputes"):
            r = await n.client.get(path, params={"after": "9" * 25}, headers=auth)
            assert r.status_code == 422, (path, r.status_code, r.text)
            r = await n.client.get(path, params={"after": str(2**63 - 1)}, headers=auth)
            assert r.status_code == 200, (path, r.status_code, r.text)
