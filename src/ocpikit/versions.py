"""What differs between OCPI versions, in one place (``conventions.md``, "Versions side by side").

Behaviour is written once, in the modules; each :class:`VersionProfile` carries the few
facts in which versions differ, and code asks the profile instead of comparing version
strings. Adding 2.1.1 or 2.3.0 means adding a profile and its wire models, not copying
handlers.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from pydantic import BaseModel

__all__ = [
    "OCPI_MODULES",
    "PROFILES",
    "SUPPORTED_VERSIONS",
    "V211",
    "V221",
    "VersionProfile",
    "profile",
    "version_key",
]


OCPI_MODULES = frozenset(
    {
        "credentials",
        "locations",
        "sessions",
        "cdrs",
        "tariffs",
        "tokens",
        "commands",
        "chargingprofiles",
        "hubclientinfo",
    }
)
_MODULES_211 = OCPI_MODULES - {"chargingprofiles", "hubclientinfo"}


@dataclass(frozen=True, slots=True)
class VersionProfile:
    """The behaviour of one OCPI version.

    Attributes:
        version: the VersionNumber on the wire.
        token_base64: whether ``Authorization: Token`` carries Base64 (2.2+) or the token
            itself (2.1.1).
        endpoints_have_role: whether version details list a SENDER/RECEIVER role per
            endpoint (2.2+); 2.1.1 endpoints have none: the role of each follows from the
            party's role (a CPO's ``locations`` is the Sender).
        credentials_have_roles: whether Credentials carry a list of roles (2.2+) or a single
            party (2.1.1). A version without roles is served *per party*: each local party
            has its own version details, module URLs and credentials.
        routing_headers: whether ``OCPI-from``/``OCPI-to`` routing headers exist (2.2+).
        modules: the ModuleIDs the version defines.
        package: the version's package name (``v211``): its wire models are
            ``ocpikit.protocol.<package>``, its mappings ``ocpikit.mappings.<package>``.
        canonical: whether its wire form is the node's domain form (stored objects go out
            as they are stored); every other version is translated by ``ocpikit.wire``.
    """

    version: str
    token_base64: bool = True
    endpoints_have_role: bool = True
    credentials_have_roles: bool = True
    routing_headers: bool = True
    modules: frozenset[str] = OCPI_MODULES
    package: str = "v221"
    canonical: bool = False

    @property
    def token_encoding(self) -> str:
        return "base64" if self.token_base64 else "plain"

    @property
    def per_party(self) -> bool:
        """Whether each local party is served separately (one party per credentials)."""
        return not self.credentials_have_roles

    def wire_model(self, module: str, name: str) -> type[BaseModel]:
        """The version's wire model ``name`` of ``module`` (``("locations", "Location")``)."""
        found: type[BaseModel] = getattr(
            importlib.import_module(f"ocpikit.protocol.{self.package}.{module}"), name
        )
        return found

    def has_model(self, module: str, name: str) -> bool:
        """Whether the version defines wire model ``name`` (e.g. a TariffPatch: 2.1.1 only)."""
        return hasattr(importlib.import_module(f"ocpikit.protocol.{self.package}.{module}"), name)

    def mapping(self, module: str) -> ModuleType:
        """The version's mapping of ``module`` to and from the domain (``ocpikit.mappings``)."""
        package = importlib.import_module(f"ocpikit.mappings.{self.package}")
        mapping: ModuleType = package.MAPPINGS[module]
        return mapping


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a VersionNumber (``2.2.1`` > ``2.2`` > ``2.1.1``); junk sorts lowest."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)


V211 = VersionProfile(
    version="2.1.1",
    token_base64=False,
    endpoints_have_role=False,
    credentials_have_roles=False,
    routing_headers=False,
    modules=_MODULES_211,
    package="v211",
)
V221 = VersionProfile(version="2.2.1", canonical=True)

PROFILES: dict[str, VersionProfile] = {p.version: p for p in (V221, V211)}
SUPPORTED_VERSIONS: tuple[str, ...] = tuple(sorted(PROFILES, key=version_key, reverse=True))


def profile(version: str) -> VersionProfile:
    """The profile of a supported version.

    Raises:
        KeyError: for a version this node does not speak.
    """
    return PROFILES[version]
