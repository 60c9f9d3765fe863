"""OCPI 2.2.1 mappings: the domain *is* 2.2.1, so every function is the identity.

``MAPPINGS`` has the same module ids and functions as :mod:`ocpikit.mappings.v211`, so callers
treat every version alike.
"""

from __future__ import annotations

from types import ModuleType

from ocpikit.mappings.v221 import identity

__all__ = ["MAPPINGS", "MODULES"]

MODULES: tuple[str, ...] = (
    "cdrs",
    "chargingprofiles",
    "commands",
    "credentials",
    "hubclientinfo",
    "locations",
    "sessions",
    "tariffs",
    "tokens",
    "versions",
)

MAPPINGS: dict[str, ModuleType] = dict.fromkeys(MODULES, identity)
