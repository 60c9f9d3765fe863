"""Who may call which interface, and in which role a peer owns a module's objects.

The one place where the node's access rules are written; every module asks it (issue 8).

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

__all__ = [
    "ACCESS",
    "SENDER_ROLE",
    "ModuleAccess",
    "allowed_callers",
    "counterpart",
    "endpoint_role",
    "owner_roles",
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


# The party role that hosts each module's SENDER interface (the other side is the RECEIVER).
SENDER_ROLE: dict[str, str] = {
    "locations": "CPO",
    "tariffs": "CPO",
    "sessions": "CPO",
    "cdrs": "CPO",
    "tokens": "EMSP",
    "commands": "EMSP",
    "chargingprofiles": "SCSP",
    "hubclientinfo": "HUB",
}


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
