"""What the node knows of each OCPI module, in one place: every layer reads it.

One :class:`Module` per ModuleID: who hosts its Sender interface, who may call each interface
and in which role a peer owns its objects (the access rules, below), the objects it carries
(its *parts*, named like the wire models of every version), how an object is keyed in the
store and spelled in a Receiver URL, who else may read it, and whether it is pulled, pushed
and loaded. Routes (``modules/registry.py``), the version details, push, pull, the client,
the edge translation (``ocpikit.wire``) and the CLI all read :data:`MODULES`.

Access rules (issue 8).

OCPI 2.2.1 names, per module, the market roles that typically implement each interface
("Typically implemented by market roles like: CPO", ``mod_locations.asciidoc`` §Sender
Interface, and the same sentence in every module). The *caller* of an interface is the other
side: a Locations Receiver (at an eMSP) is called by a CPO, a Tokens Sender (at an eMSP)
answers a CPO. A Hub sits between the two and may call every interface on their behalf.

Two rules follow:

- **Interface callers.** A registered peer may call an interface only if one of its
  registered roles is among :attr:`ModuleAccess.callers` of that interface; otherwise the
  answer is HTTP 403 and nothing is read or written.
- **Ownership in a role.** Client Owned Objects (``transport_and_format.asciidoc`` §Client
  Owned Object Push) are written under the ``country_code``/``party_id`` of their owner, and
  that owner is a party in a definite role: Locations, Tariffs, Sessions and CDRs belong to a
  CPO, Tokens to an eMSP. A peer writes them only under a party it registered *in that role*
  (:func:`owner_roles`); registering the same ``country_code``/``party_id`` under another
  role does not make it the owner.

Registration itself refuses a ``country_code``/``party_id`` that another platform or this
node already holds in any role (``modules/credentials/service.py``), so two platforms never
share a party.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACCESS",
    "MODULES",
    "SENDER_ROLE",
    "Module",
    "ModuleAccess",
    "allowed_callers",
    "counterpart",
    "endpoint_role",
    "module",
    "object_key_fields",
    "owner_roles",
    "receiver_path",
]

_ALL_BUT_CPO = frozenset({"EMSP", "HUB", "NAP", "NSP", "OTHER", "SCSP", "PTP"})


@dataclass(frozen=True, slots=True)
class ModuleAccess:
    """The access rules of one OCPI module.

    Attributes:
        module: the ModuleID.
        owner_roles: roles in which a party owns the module's objects (empty: the module has
            no Client Owned Objects, e.g. Commands).
        callers: per interface role (``SENDER``/``RECEIVER``), the roles allowed to call it.
    """

    module: str
    owner_roles: frozenset[str] = frozenset()
    callers: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _access(
    module: str, owner: Iterable[str], sender: Iterable[str], receiver: Iterable[str]
) -> ModuleAccess:
    return ModuleAccess(
        module,
        frozenset(owner),
        {"SENDER": frozenset(sender) | {"HUB"}, "RECEIVER": frozenset(receiver) | {"HUB"}},
    )


ACCESS: dict[str, ModuleAccess] = {
    a.module: a
    for a in (
        # Locations and Tariffs are the CPO's; anyone but another CPO reads them.
        _access("locations", {"CPO"}, _ALL_BUT_CPO, {"CPO"}),
        _access("tariffs", {"CPO"}, _ALL_BUT_CPO, {"CPO"}),
        # Sessions: Receiver "typically eMSP and SCSP" (mod_sessions §Receiver Interface).
        _access("sessions", {"CPO"}, {"EMSP", "SCSP"}, {"CPO"}),
        _access("cdrs", {"CPO"}, {"EMSP"}, {"CPO"}),
        # Tokens are the eMSP's: its Sender answers a CPO, a CPO's Receiver takes them from it.
        _access("tokens", {"EMSP"}, {"CPO"}, {"EMSP"}),
        # Commands: the eMSP sends them to the CPO's Receiver; the CPO posts results to the
        # eMSP's Sender (its response_url).
        _access("commands", (), {"CPO"}, {"EMSP"}),
        # ChargingProfiles: the SCSP (or an eMSP, mod_charging_profiles §Use cases) asks the
        # CPO's Receiver; the CPO posts results to the Sender.
        _access("chargingprofiles", (), {"CPO"}, {"SCSP", "EMSP"}),
        # HubClientInfo: only a Hub pushes to the Receiver; parties connected to it read its
        # Sender.
        ModuleAccess(
            "hubclientinfo",
            frozenset(),
            {"RECEIVER": frozenset({"HUB"}), "SENDER": _ALL_BUT_CPO - {"HUB"} | {"CPO"}},
        ),
    )
}


def allowed_callers(module: str, interface_role: str) -> frozenset[str] | None:
    """The roles that may call ``module``'s ``interface_role`` interface (None: no rule)."""
    access = ACCESS.get(module)
    if access is None:
        return None
    return access.callers.get(interface_role)


def owner_roles(module: str) -> frozenset[str]:
    """The roles in which a party owns ``module``'s objects (empty: any registered role)."""
    access = ACCESS.get(module)
    return access.owner_roles if access is not None else frozenset()


_ID = ("country_code", "party_id", "id")


@dataclass(frozen=True, slots=True)
class Module:
    """One OCPI module as every layer of the node sees it.

    Attributes:
        id: the ModuleID.
        sender_role: the party role hosting the Sender interface (the other side is the
            Receiver): a CPO's Locations, an eMSP's Tokens.
        singular: the noun of its events (``location.created``).
        parts: the objects the module carries -> (wire model, PATCH model or None), by the
            class names every version's ``protocol`` package uses; the first is its main
            object (what lists hold).
        key: the fields naming one main object, in Receiver URL order (``/{cc}/{pid}/{id}``);
            Tokens add their ``type`` as a query parameter.
        identity: fields of a listed object that must be valid as sent (never repaired).
        audience: the field whose ``country_code``/``party_id`` may read an object besides
            its owner (a Session's or CDR's ``cdr_token``: the eMSP).
        listed: whether its Sender lists its main objects (paginated).
        pulled / pushed: whether the node pulls its Sender lists / pushes our changes.
        service: the module's service (``load``/``export`` of our own objects), if any.
    """

    id: str
    sender_role: str
    singular: str = ""
    parts: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    key: tuple[str, ...] = _ID
    identity: tuple[str, ...] = (*_ID, "last_updated")
    audience: str | None = None
    listed: bool = False
    pulled: bool = False
    pushed: bool = False
    service: str | None = None

    @property
    def main_part(self) -> str:
        return next(iter(self.parts), self.id)

    @property
    def access(self) -> ModuleAccess:
        return ACCESS.get(self.id, ModuleAccess(self.id))


def _service(name: str) -> str:
    return f"ocpikit.modules.{name}.service"


_COMMAND_PARTS: dict[str, tuple[str, str | None]] = {
    "command_response": ("CommandResponse", None),
    "start_session": ("StartSession", None),
    "stop_session": ("StopSession", None),
    "reserve_now": ("ReserveNow", None),
    "unlock_connector": ("UnlockConnector", None),
    "cancel_reservation": ("CancelReservation", None),
    # The asynchronous result: a CommandResult from 2.2 (2.1.1 posts a CommandResponse).
    "command_result": ("CommandResult", None),
}

MODULES: dict[str, Module] = {
    m.id: m
    for m in (
        Module("credentials", "", parts={"credentials": ("Credentials", None)}),
        Module(
            "locations",
            "CPO",
            "location",
            parts={
                "location": ("Location", "LocationPatch"),
                "evse": ("EVSE", "EvsePatch"),
                "connector": ("Connector", "ConnectorPatch"),
            },
            listed=True,
            pulled=True,
            pushed=True,
            service=_service("locations"),
        ),
        Module(
            "tariffs",
            "CPO",
            "tariff",
            parts={"tariff": ("Tariff", "TariffPatch")},
            listed=True,
            pulled=True,
            pushed=True,
            service=_service("tariffs"),
        ),
        Module(
            "tokens",
            "EMSP",
            "token",
            parts={
                "token": ("Token", "TokenPatch"),
                "location_references": ("LocationReferences", None),
                "authorization_info": ("AuthorizationInfo", None),
            },
            key=("country_code", "party_id", "uid", "type"),
            identity=("country_code", "party_id", "uid", "type", "last_updated"),
            listed=True,
            pulled=True,
            pushed=True,
            service=_service("tokens"),
        ),
        Module(
            "sessions",
            "CPO",
            "session",
            parts={"session": ("Session", "SessionPatch")},
            identity=(*_ID, "last_updated", "cdr_token"),
            audience="cdr_token",
            listed=True,
            pulled=True,
            pushed=True,
            service=_service("sessions"),
        ),
        Module(
            "cdrs",
            "CPO",
            "cdr",
            parts={"cdr": ("CDR", None)},
            identity=(*_ID, "last_updated", "cdr_token"),
            audience="cdr_token",
            listed=True,
            pulled=True,
            pushed=True,
            service=_service("cdrs"),
        ),
        Module("commands", "EMSP", parts=_COMMAND_PARTS),
        Module("chargingprofiles", "SCSP"),
        Module(
            "hubclientinfo",
            "HUB",
            "clientinfo",
            parts={"clientinfo": ("ClientInfo", None)},
            key=("country_code", "party_id"),
            identity=("country_code", "party_id", "role", "last_updated"),
            listed=True,
            pushed=True,
        ),
    )
}

# The party role that hosts each module's SENDER interface (the other side is the RECEIVER).
SENDER_ROLE: dict[str, str] = {m.id: m.sender_role for m in MODULES.values() if m.sender_role}


def module(module_id: str) -> Module:
    """The description of ``module_id``.

    Raises:
        KeyError: for a module ocpikit does not implement.
    """
    return MODULES[module_id]


def object_key_fields(module_id: str) -> tuple[str, ...]:
    """The fields naming one object of the module (``country_code, party_id, id``...)."""
    return MODULES[module_id].key


def receiver_path(module_id: str, data: Mapping[str, Any]) -> str:
    """The Receiver URL path of a whole object, spelled as the object spells its ids.

    ``/{country_code}/{party_id}/{id}``; a Token's ``type`` goes in the query (TOK: the
    same uid may exist with several types).
    """
    key = MODULES[module_id].key
    path = "".join(f"/{data[name]}" for name in key if name != "type")
    return f"{path}?type={data['type']}" if "type" in key else path


def endpoint_role(module: str, party_role: str) -> str:
    """The interface role of ``module`` at a party of ``party_role``.

    OCPI 2.1.1 version details carry no role: a CPO's ``locations`` endpoint is its Sender
    ("CPO interface"), an eMSP's its Receiver ("eMSP interface"). Credentials are listed as
    SENDER, as 2.2.1 lists them.
    """
    if module == "credentials":
        return "SENDER"
    return "SENDER" if SENDER_ROLE.get(module) == party_role else "RECEIVER"


def counterpart(role: str) -> str:
    """The role on the other side of a one-party connection (OCPI 2.1.1: CPO <-> eMSP)."""
    return "EMSP" if role == "CPO" else "CPO"
