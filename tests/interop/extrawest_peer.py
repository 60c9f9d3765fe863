"""An independent OCPI peer for interoperability tests: extrawest-ocpi on loopback.

Run with the scratch virtual environment's Python (``.venv-interop``, where the
``extrawest-ocpi`` package is installed), never imported by ocpikit's tests::

    .venv-interop/bin/python tests/interop/extrawest_peer.py --port 8123 --role CPO \\
        --token-a SECRET --party NL:XWC [--version 2.1.1]

``--version`` (``2.2.1`` by default, or ``2.1.1``) is the only OCPI version it offers; its
sample objects, its credentials and its push endpoint follow that version's shapes.

The package is a library: an application supplies its storage (a ``Crud``), its token checks
(an ``Authenticator``) and chooses roles and modules. Everything here is kept in memory.

- ``--role CPO``: Locations and Tariffs Sender interfaces with a few sample objects, and the
  package's HTTP push endpoint (``POST /push/{version}``) so that the test can make it push
  an object to a receiver (ocpikit).
- ``--role EMSP``: Locations and Tariffs Receiver interfaces storing what they receive.

Debug endpoints (no authentication, loopback only) let the test look inside:

- ``GET /debug/state``: registrations (token B and endpoints of each peer, token C issued)
  and stored objects (``received`` for the eMSP role, ``own`` for the CPO role).
- ``PUT /debug/own/{module}/{object_id}``: replace one of the CPO's own objects.
- ``GET /debug/requests``: the method, path and Authorization header of every OCPI request.

The process prints ``READY`` on stdout once it serves.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from datetime import UTC, datetime
from typing import Any


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--role", choices=["CPO", "EMSP"], required=True)
    parser.add_argument("--token-a", required=True, help="the registration token it accepts")
    parser.add_argument("--party", default="NL:XWC", help="CC:PARTY_ID of this peer")
    parser.add_argument("--locations", type=int, default=3, help="sample locations (CPO)")
    parser.add_argument(
        "--version", choices=["2.2.1", "2.1.1"], default="2.2.1", help="the OCPI version offered"
    )
    return parser.parse_args()


ARGS = _parse()
COUNTRY_CODE, PARTY_ID = ARGS.party.split(":")
HOST = f"127.0.0.1:{ARGS.port}"
V211 = ARGS.version == "2.1.1"

# The package reads its settings from the environment when it is imported.
os.environ.update(
    {
        "OCPI_HOST": HOST,
        "PROTOCOL": "http",
        "COUNTRY_CODE": COUNTRY_CODE,
        "PARTY_ID": PARTY_ID,
        "ENVIRONMENT": "development",
    }
)

import uvicorn  # noqa: E402
from fastapi import Request  # noqa: E402
from py_ocpi.core.authentication.authenticator import Authenticator  # noqa: E402
from py_ocpi.core.crud import Crud  # noqa: E402
from py_ocpi.core.enums import ModuleID, RoleEnum  # noqa: E402
from py_ocpi.main import get_application  # noqa: E402
from py_ocpi.modules.versions.enums import VersionNumber  # noqa: E402

NOW = "2026-01-01T00:00:00Z"


def sample_location(n: int) -> dict[str, Any]:
    return {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "id": f"LOC{n}",
        "publish": True,
        "name": f"Extrawest site {n}",
        "address": f"Main street {n}",
        "city": "Amsterdam",
        "postal_code": "1000AA",
        "country": "NLD",
        "coordinates": {"latitude": "52.370216", "longitude": "4.895168"},
        "evses": [
            {
                "uid": f"LOC{n}-E1",
                "evse_id": f"NL*XWC*E{n}",
                "status": "AVAILABLE",
                "capabilities": ["RFID_READER"],
                "connectors": [
                    {
                        "id": "1",
                        "standard": "IEC_62196_T2",
                        "format": "SOCKET",
                        "power_type": "AC_3_PHASE",
                        "max_voltage": 230,
                        "max_amperage": 32,
                        "tariff_ids": ["TARIFF1"],
                        "last_updated": NOW,
                    }
                ],
                "last_updated": NOW,
            }
        ],
        "time_zone": "Europe/Amsterdam",
        "last_updated": NOW,
    }


def sample_tariff() -> dict[str, Any]:
    return {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "id": "TARIFF1",
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 21.0, "step_size": 1}]}
        ],
        "last_updated": NOW,
    }


def sample_location_211(n: int) -> dict[str, Any]:
    """The same site in the 2.1.1 shape: a type, no owner or publish, one tariff_id."""
    return {
        "id": f"LOC{n}",
        "type": "ON_STREET",
        "name": f"Extrawest site {n}",
        "address": f"Main street {n}",
        "city": "Amsterdam",
        "postal_code": "1000AA",
        "country": "NLD",
        "coordinates": {"latitude": "52.370216", "longitude": "4.895168"},
        "evses": [
            {
                "uid": f"LOC{n}-E1",
                "evse_id": f"NL*XWC*E{n}",
                "status": "AVAILABLE",
                "capabilities": ["RFID_READER"],
                "connectors": [
                    {
                        "id": "1",
                        "standard": "IEC_62196_T2",
                        "format": "SOCKET",
                        "power_type": "AC_3_PHASE",
                        "voltage": 230,
                        "amperage": 32,
                        "tariff_id": "TARIFF1",
                        "last_updated": NOW,
                    }
                ],
                "last_updated": NOW,
            }
        ],
        "operator": {"name": "Extrawest"},
        "time_zone": "Europe/Amsterdam",
        "last_updated": NOW,
    }


def sample_tariff_211() -> dict[str, Any]:
    """The same tariff in the 2.1.1 shape: no owner, no VAT in the price components."""
    return {
        "id": "TARIFF1",
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]}],
        "last_updated": NOW,
    }


class State:
    """Everything this peer knows, in memory."""

    token_a: set[str] = {ARGS.token_a}
    # token C we issued -> {"credentials": the peer's Credentials, "endpoints": its details}
    registrations: dict[str, dict[str, Any]] = {}
    # (module, country_code, party_id, id) -> object, as the package hands it over
    received: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    own: dict[str, dict[str, dict[str, Any]]] = {"locations": {}, "tariffs": {}}
    requests: list[dict[str, str]] = []


if ARGS.role == "CPO":
    for i in range(1, ARGS.locations + 1):
        State.own["locations"][f"LOC{i}"] = sample_location_211(i) if V211 else sample_location(i)
    State.own["tariffs"]["TARIFF1"] = sample_tariff_211() if V211 else sample_tariff()


def our_credentials(token_c: str) -> dict[str, Any]:
    if V211:  # one party, no roles
        return {
            "token": token_c,
            "url": f"http://{HOST}/ocpi/versions",
            "business_details": {"name": f"extrawest {ARGS.role}"},
            "party_id": PARTY_ID,
            "country_code": COUNTRY_CODE,
        }
    return {
        "token": token_c,
        "url": f"http://{HOST}/ocpi/versions",
        "roles": [
            {
                "role": ARGS.role,
                "business_details": {"name": f"extrawest {ARGS.role}"},
                "party_id": PARTY_ID,
                "country_code": COUNTRY_CODE,
            }
        ],
    }


def _parse_dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class MemoryCrud(Crud):
    """The package's storage interface, implemented in memory."""

    @classmethod
    async def get(cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any) -> Any:
        if module == ModuleID.credentials_and_registration:
            return our_credentials(id) if id in State.registrations else None
        if role == RoleEnum.cpo:
            found = {k.lower(): v for k, v in State.own.get(module.value, {}).items()}
            return found.get(str(id).lower())
        key = (module.value, kwargs["country_code"], kwargs["party_id"], str(id))
        return State.received.get(key)

    @classmethod
    async def list(
        cls, module: ModuleID, role: RoleEnum, filters: dict, *args: Any, **kwargs: Any
    ) -> tuple[list, int, bool]:
        items = sorted(State.own.get(module.value, {}).values(), key=lambda o: o["id"])
        if filters.get("date_from"):
            items = [o for o in items if _parse_dt(o["last_updated"]) >= filters["date_from"]]
        if filters.get("date_to"):
            items = [o for o in items if _parse_dt(o["last_updated"]) < filters["date_to"]]
        offset, limit = filters["offset"], filters["limit"]
        page = items[offset : offset + limit]
        return page, len(items), offset + limit >= len(items)

    @classmethod
    async def create(
        cls, module: ModuleID, role: RoleEnum, data: dict, *args: Any, **kwargs: Any
    ) -> Any:
        if module == ModuleID.credentials_and_registration:
            State.token_a.discard(kwargs.get("auth_token") or "")
            token_c = secrets.token_hex(16)
            State.registrations[token_c] = data
            return our_credentials(token_c)
        key = (module.value, kwargs["country_code"], kwargs["party_id"], data["id"])
        State.received[key] = data
        return data

    @classmethod
    async def update(
        cls, module: ModuleID, role: RoleEnum, data: dict, id: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if module == ModuleID.credentials_and_registration:
            old = kwargs.get("auth_token") or ""
            State.registrations.pop(old, None)
            token_c = secrets.token_hex(16)
            State.registrations[token_c] = data
            return our_credentials(token_c)
        key = (module.value, kwargs["country_code"], kwargs["party_id"], str(id))
        State.received[key] = data
        return data

    @classmethod
    async def delete(cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any):
        if module == ModuleID.credentials_and_registration:
            State.registrations.pop(id, None)
            return
        key = (module.value, kwargs["country_code"], kwargs["party_id"], str(id))
        State.received.pop(key, None)

    @classmethod
    async def do(cls, module: Any, role: Any, action: Any, *args: Any, **kwargs: Any) -> Any:
        return None


class MemoryAuthenticator(Authenticator):
    @classmethod
    async def get_valid_token_c(cls) -> list[str]:
        return list(State.registrations)

    @classmethod
    async def get_valid_token_a(cls) -> list[str]:
        return list(State.token_a)


app = get_application(
    version_numbers=[VersionNumber.v_2_1_1 if V211 else VersionNumber.v_2_2_1],
    roles=[RoleEnum.cpo if ARGS.role == "CPO" else RoleEnum.emsp],
    crud=MemoryCrud,
    modules=[
        ModuleID.credentials_and_registration,
        ModuleID.locations,
        ModuleID.tariffs,
    ],
    authenticator=MemoryAuthenticator,
    http_push=ARGS.role == "CPO",
)


@app.middleware("http")
async def record(request: Request, call_next: Any) -> Any:
    if not request.url.path.startswith("/debug"):
        State.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "authorization": request.headers.get("authorization", ""),
            }
        )
    return await call_next(request)


@app.get("/debug/state")
async def debug_state() -> dict[str, Any]:
    return {
        "role": ARGS.role,
        "version": ARGS.version,
        "token_a": sorted(State.token_a),
        "registrations": [
            {"token_c": token_c, **data} for token_c, data in State.registrations.items()
        ],
        "received": [
            {"module": k[0], "country_code": k[1], "party_id": k[2], "id": k[3], "object": v}
            for k, v in State.received.items()
        ],
        "own": State.own,
    }


@app.put("/debug/own/{module}/{object_id}")
async def debug_put_own(module: str, object_id: str, request: Request) -> dict[str, Any]:
    State.own[module][object_id] = await request.json()
    return {"stored": object_id}


@app.get("/debug/requests")
async def debug_requests() -> list[dict[str, str]]:
    return State.requests


@app.on_event("startup")
async def ready() -> None:
    print("READY", flush=True)


if __name__ == "__main__":
    print(
        f"extrawest-ocpi {ARGS.version} {ARGS.role} on http://{HOST} at {datetime.now(UTC)}",
        file=sys.stderr,
    )
    uvicorn.run(app, host="127.0.0.1", port=ARGS.port, log_level="warning")
