"""Tests in any OCPI version: module URLs, request headers and bodies for one version.

A protocol test is written once, in 2.2.1 terms (the domain, ``tests/factories.py``), and run
for each version through a :class:`~tests.support.Pair` that knows its version:

- URLs: 2.2.1 and later address an interface by role (``/ocpi/2.2.1/sender/locations``);
  2.1.1 by local party, one URL per module per party (``/ocpi/2.1.1/NL/CPO/locations``),
  whose role follows from the party's role (:data:`ROLES_211`).
- Headers: the version's token encoding (plain in 2.1.1, Base64 from 2.2) and routing headers
  only where the version has them.
- Bodies: a factory object rendered in the version's wire form by the node's own mappings
  (:func:`ocpikit.wire.render`), and a received one read back into the domain form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ocpikit import wire
from ocpikit.mappings.context import MapContext
from ocpikit.versions import OCPI_MODULES, PROFILES, VersionProfile
from tests import factories

__all__ = [
    "ROLES_211",
    "Party",
    "VERSIONS",
    "details_path",
    "domain_of",
    "ocpi_path",
    "to_profile",
    "wire_of",
]

# The versions the protocol tests run in (the ``profile`` fixture's parameters).
VERSIONS = ("2.2.1", "2.1.1")

# A 2.1.1 party's interface of each module (2.1.1 lists no roles: a CPO's ``locations`` is
# its Sender, an eMSP's its Receiver).
ROLES_211: dict[tuple[str, str], str] = {
    **{("CPO", m): "SENDER" for m in ("locations", "sessions", "cdrs", "tariffs")},
    **{("CPO", m): "RECEIVER" for m in ("tokens", "commands")},
    **{("EMSP", m): "RECEIVER" for m in ("locations", "sessions", "cdrs", "tariffs")},
    **{("EMSP", m): "SENDER" for m in ("tokens", "commands")},
}

Party = tuple[str, str, str]  # (country_code, party_id, role)


def to_profile(version: str | VersionProfile) -> VersionProfile:
    return version if isinstance(version, VersionProfile) else PROFILES[version]


def details_path(version: str | VersionProfile, party: Party | None = None) -> str:
    """The path of the version details endpoint (2.1.1: the party's own)."""
    p = to_profile(version)
    if p.per_party:
        if party is None:
            raise ValueError(f"OCPI {p.version} version details are per party: name one")
        return f"/ocpi/{p.version}/{party[0]}/{party[1]}"
    return f"/ocpi/{p.version}"


def ocpi_path(
    version: str | VersionProfile,
    module: str,
    role: str | None = None,
    party: Party | None = None,
) -> str:
    """The path of a module interface of an ocpikit node in ``version``.

    ``role`` (SENDER or RECEIVER) is needed in versions with roles; in 2.1.1 the interface is
    ``party``'s, and a ``role`` that party does not play for the module is a test's mistake.
    """
    p = to_profile(version)
    if module in OCPI_MODULES and module not in p.modules:  # a custom module is in every version
        raise ValueError(f"OCPI {p.version} has no {module} module")
    if p.per_party:
        if party is None:
            raise ValueError(f"OCPI {p.version} URLs are per party: name one")
        cc, pid, party_role = party
        if module != "credentials" and role is not None:
            played = ROLES_211[(party_role, module)]
            if role != played:
                raise ValueError(f"{cc}:{pid}'s {module} is its {played} in OCPI {p.version}")
        return f"/ocpi/{p.version}/{cc}/{pid}/{module}"
    if module == "credentials":
        return f"/ocpi/{p.version}/credentials"
    if role not in ("SENDER", "RECEIVER"):
        raise ValueError(f"OCPI {p.version} URLs carry a role: SENDER or RECEIVER, not {role}")
    return f"/ocpi/{p.version}/{role.lower()}/{module}"


def _context(
    obj: dict[str, Any],
    owner: tuple[str, str],
    locations: Callable[[str], dict[str, Any] | None] | None,
) -> MapContext:
    """What the mappings need: the object's owner, and the Locations a Session/CDR embeds."""
    return MapContext(
        country_code=obj.get("country_code", owner[0]),
        party_id=obj.get("party_id", owner[1]),
        location=locations or (lambda lid: factories.location(lid)),
    )


def wire_of(
    version: str | VersionProfile,
    module: str,
    obj: dict[str, Any],
    *,
    owner: tuple[str, str] = ("NL", "CPO"),
    part: str | None = None,
    patch: bool = False,
    locations: Callable[[str], dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """A domain (2.2.1-shaped) object in ``version``'s wire form, as a peer would send it.

    Sessions and CDRs embed their Location in 2.1.1: by default ``factories.location(id)``.
    """
    rendered = wire.render(
        to_profile(version),
        module,
        obj,
        _context(obj, owner, locations),
        part=part,
        patch=patch,
    )
    if rendered is None:
        raise ValueError(f"this {module} has no OCPI {to_profile(version).version} form")
    return rendered


def domain_of(
    version: str | VersionProfile,
    module: str,
    data: dict[str, Any],
    *,
    owner: tuple[str, str] = ("NL", "CPO"),
    part: str | None = None,
) -> dict[str, Any]:
    """A received object of ``version`` (an answer's ``data``) in the domain form."""
    p = to_profile(version)
    if p.canonical:
        return data
    ctx = MapContext(country_code=owner[0], party_id=owner[1])
    domain: dict[str, Any] = p.mapping(module).to_domain(
        data, ctx, part or wire.default_part(module)
    )
    return domain
