"""Access rules tried as an attacker would: every module x interface x caller role (issue 8).

A target node speaks for a CPO (NL:CPO) and an eMSP (NL:MSP), so it offers every interface of
both sides. Four other ocpikit nodes register with it through the real handshake, one per
role (CPO, EMSP, NSP, SCSP), and each calls every interface: under its own party, and under a
party it does not own. The rules come from ``ocpikit/catalog.py``; this suite writes down
independently what the spec's "typically implemented by" sentences give, so a change of the
rules has to change both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from ocpikit.modules.credentials.service import HandshakeError, register_with_peer
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import PeerRepository
from tests import factories
from tests.support import Databases, RunningNode, running_node
from tests.versions import ocpi_path

pytestmark = pytest.mark.e2e

V = "2.2.1"  # role-based access of 2.2.1 (roles, routing headers); 2.1.1 is per party
Request = Callable[[str, str], tuple[str, str, Any]]
CALLERS = {"CPO": ("BE", "CPX"), "EMSP": ("DE", "MSP"), "NSP": ("FR", "NSP"), "SCSP": ("IT", "SCS")}


@dataclass
class Caller:
    role: str
    cc: str
    pid: str
    token: str

    def headers(self, target: RunningNode, to: tuple[str, str] = ("NL", "CPO")) -> dict[str, str]:
        return {
            **target.auth(self.token),
            "X-Request-ID": "r1",
            "X-Correlation-ID": "c1",
            "OCPI-from-country-code": self.cc,
            "OCPI-from-party-id": self.pid,
            "OCPI-to-country-code": to[0],
            "OCPI-to-party-id": to[1],
        }


@dataclass
class World:
    target: RunningNode
    callers: dict[str, Caller]


@pytest.fixture
async def world(databases: Databases) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        target = await stack.enter_async_context(
            running_node(await databases.new(), [("NL", "CPO", "CPO"), ("NL", "MSP", "EMSP")])
        )
        callers: dict[str, Caller] = {}
        for role, (cc, pid) in CALLERS.items():
            node = await stack.enter_async_context(
                running_node(await databases.new(), [(cc, pid, role)])
            )
            peer = await register_with_peer(
                node.db,
                node.client,
                versions_url=target.versions_url,
                token_a=await target.token_a(),
            )
            assert peer.token_out
            callers[role] = Caller(role, cc, pid, peer.token_out)
        yield World(target, callers)


def _put(module: str, oid: str, factory: Callable[..., dict[str, Any]]) -> Request:
    return lambda cc, pid: (
        "PUT",
        f"{ocpi_path(V, module, 'RECEIVER')}/{cc}/{pid}/{oid}",
        factory(oid, cc, pid),
    )


def _list(module: str, query: str = "") -> Request:
    return lambda cc, pid: ("GET", f"{ocpi_path(V, module, 'SENDER')}{query}", None)


def _client_info(cc: str, pid: str) -> tuple[str, str, Any]:
    body = {
        "party_id": pid,
        "country_code": cc,
        "role": "CPO",
        "status": "CONNECTED",
        "last_updated": "2026-01-01T00:00:00Z",
    }
    return "PUT", f"{ocpi_path(V, 'hubclientinfo', 'RECEIVER')}/{cc}/{pid}", body


def _start(cc: str, pid: str) -> tuple[str, str, Any]:
    body = {
        "response_url": "http://127.0.0.1:1/cb",
        "token": factories.token("U9", cc, pid),
        "location_id": "NOPE",
    }
    return "POST", f"{ocpi_path(V, 'commands', 'RECEIVER')}/START_SESSION", body


_PROFILE_QUERY = "duration=60&response_url=http://127.0.0.1:1/cb"

# The request a caller makes to each interface, writing under party (cc, pid).
REQUESTS: dict[str, Request] = {
    "locations SENDER": _list("locations"),
    "locations RECEIVER": _put("locations", "L1", factories.location),
    "tariffs SENDER": _list("tariffs"),
    "tariffs RECEIVER": _put("tariffs", "T9", factories.tariff),
    "sessions SENDER": _list("sessions", "?date_from=2020-01-01T00:00:00Z"),
    "sessions RECEIVER": _put("sessions", "S9", factories.session),
    "cdrs SENDER": _list("cdrs"),
    "cdrs RECEIVER": lambda cc, pid: (
        "POST",
        f"{ocpi_path(V, 'cdrs', 'RECEIVER')}",
        factories.cdr("C9", cc, pid),
    ),
    "tokens SENDER": _list("tokens"),
    "tokens RECEIVER": _put("tokens", "U9", factories.token),
    "commands RECEIVER": _start,
    "commands SENDER": lambda cc, pid: (
        "POST",
        f"{ocpi_path(V, 'commands', 'SENDER')}/START_SESSION/nope",
        {"result": "ACCEPTED"},
    ),
    "chargingprofiles RECEIVER": lambda cc, pid: (
        "GET",
        f"{ocpi_path(V, 'chargingprofiles', 'RECEIVER')}/NOPE?{_PROFILE_QUERY}",
        None,
    ),
    "chargingprofiles SENDER": lambda cc, pid: (
        "POST",
        f"{ocpi_path(V, 'chargingprofiles', 'SENDER')}/SET/nope",
        {"result": "ACCEPTED"},
    ),
    "hubclientinfo SENDER": _list("hubclientinfo"),
    "hubclientinfo RECEIVER": _client_info,
}


def _request(interface: str, caller: Caller, owner: tuple[str, str]) -> tuple[str, str, Any]:
    """The request a caller makes to ``interface``, writing under ``owner``'s party."""
    return REQUESTS[interface](*owner)


# Who may call what: the spec's "Typically implemented by" for the other side of each
# interface. A Hub may call everything; no Hub is among the callers here (issue 11).
ALLOWED = {
    "locations SENDER": {"EMSP", "NSP", "SCSP"},
    "locations RECEIVER": {"CPO"},
    "tariffs SENDER": {"EMSP", "NSP", "SCSP"},
    "tariffs RECEIVER": {"CPO"},
    "sessions SENDER": {"EMSP", "SCSP"},
    "sessions RECEIVER": {"CPO"},
    "cdrs SENDER": {"EMSP"},
    "cdrs RECEIVER": {"CPO"},
    "tokens SENDER": {"CPO"},
    "tokens RECEIVER": {"EMSP"},
    "commands RECEIVER": {"EMSP"},
    "commands SENDER": {"CPO"},
    "chargingprofiles RECEIVER": {"EMSP", "SCSP"},
    "chargingprofiles SENDER": {"CPO"},
    "hubclientinfo SENDER": {"CPO", "EMSP", "NSP", "SCSP"},
    "hubclientinfo RECEIVER": set(),
}
# Interfaces that write Client Owned Objects under the party in the URL or body.
OWNED = {
    "locations RECEIVER",
    "tariffs RECEIVER",
    "sessions RECEIVER",
    "cdrs RECEIVER",
    "tokens RECEIVER",
}


def _to(interface: str) -> tuple[str, str]:
    """The target's party that an interface belongs to (OCPI-to)."""
    module, role = interface.split()
    cpo_side = {
        ("locations", "SENDER"),
        ("tariffs", "SENDER"),
        ("sessions", "SENDER"),
        ("cdrs", "SENDER"),
        ("tokens", "RECEIVER"),
        ("commands", "RECEIVER"),
        ("chargingprofiles", "RECEIVER"),
    }
    return (
        ("NL", "CPO") if (module, role) in cpo_side or module == "hubclientinfo" else ("NL", "MSP")
    )


async def test_every_interface_refuses_roles_it_is_not_for(world: World) -> None:
    target = world.target
    seen: dict[str, set[str]] = {}
    for interface in ALLOWED:
        seen[interface] = set()
        for role, caller in world.callers.items():
            method, path, body = _request(interface, caller, (caller.cc, caller.pid))
            r = await target.client.request(
                method, path, json=body, headers=caller.headers(target, _to(interface))
            )
            assert r.status_code < 500, (interface, role, r.text)
            assert r.json()["status_code"] in (1000, 2000, 2001, 2002, 2003, 2004), r.text
            if r.status_code == 403:
                assert r.json()["status_code"] == 2000
                assert interface.split()[0] in r.json()["status_message"]
            else:
                seen[interface].add(role)
    assert seen == ALLOWED


async def test_owned_objects_are_written_only_under_the_callers_own_party(world: World) -> None:
    """An allowed caller writing under its own party succeeds; under anyone else's, 404."""
    target = world.target
    owner_of = {"tokens RECEIVER": "EMSP"}
    for interface in sorted(OWNED):
        role = owner_of.get(interface, "CPO")
        caller = world.callers[role]
        headers = caller.headers(target, _to(interface))
        method, path, body = _request(interface, caller, (caller.cc, caller.pid))
        r = await target.client.request(method, path, json=body, headers=headers)
        assert r.status_code in (200, 201) and r.json()["status_code"] == 1000, (interface, r.text)
        # Every other party: the target's own, and each other caller's.
        others = [("NL", "CPO"), ("NL", "MSP")] + [
            (c.cc, c.pid) for c in world.callers.values() if c is not caller
        ]
        for owner in others:
            method, path, body = _request(interface, caller, owner)
            r = await target.client.request(method, path, json=body, headers=headers)
            assert r.status_code == 404, (interface, owner, r.text)
            assert r.json()["status_code"] == 2000


async def _stored(node: RunningNode, module: str, cc: str, pid: str, oid: str) -> bool:
    async with node.db.connect() as conn:
        return await ObjectStore(conn).get(ObjectKey(module, cc, pid, oid)) is not None


async def test_a_party_cannot_be_registered_again_under_another_role(
    databases: Databases, world: World
) -> None:
    """The identity takeover of issue 8: a second platform claiming an existing party.

    Each attempt is a real ocpikit node whose local party copies the ids of a party the
    target already knows (a peer's, or the target's own) under another role.
    """
    target = world.target
    attempts = [
        ("BE", "CPX", "EMSP"),  # the registered CPO's ids, as an eMSP
        ("DE", "MSP", "CPO"),  # the registered eMSP's ids, as a CPO
        ("NL", "CPO", "EMSP"),  # the target's own CPO, as an eMSP
        ("NL", "MSP", "CPO"),  # the target's own eMSP, as a CPO
    ]
    for cc, pid, role in attempts:
        async with running_node(await databases.new(), [(cc, pid, role)]) as attacker:
            with pytest.raises(HandshakeError, match="already registered|party of this node"):
                await register_with_peer(
                    attacker.db,
                    attacker.client,
                    versions_url=target.versions_url,
                    token_a=await target.token_a(),
                )
    async with target.db.connect() as conn:
        peers = await PeerRepository(conn).list(include_unregistered=True)
    held = sorted((r.role, r.country_code, r.party_id) for p in peers for r in p.roles)
    assert held == sorted((role, *ids) for role, ids in CALLERS.items())


async def test_credentials_update_cannot_claim_another_party(
    databases: Databases, world: World
) -> None:
    """PUT credentials is a registration too: the same rule applies."""
    target = world.target
    caller = world.callers["NSP"]
    async with target.db.connect() as conn:
        nsp = await PeerRepository(conn).find(f"{caller.cc}:{caller.pid}")
    assert nsp is not None
    body = {
        "token": nsp.token_out,  # the target calls the NSP back with it: discovery succeeds
        "url": nsp.versions_url,
        "roles": [
            {
                "role": "NSP",
                "country_code": "FR",
                "party_id": "NSP",
                "business_details": {"name": "n"},
            },
            {
                "role": "CPO",
                "country_code": "BE",
                "party_id": "CPX",
                "business_details": {"name": "x"},
            },
        ],
    }
    r = await target.client.put(
        ocpi_path(V, "credentials"), json=body, headers=target.auth(caller.token)
    )
    assert r.status_code < 500
    assert r.json()["status_code"] != 1000
    async with target.db.connect() as conn:
        after = await PeerRepository(conn).get(nsp.id)
    assert after is not None
    assert [(x.role, x.country_code, x.party_id) for x in after.roles] == [("NSP", "FR", "NSP")]
