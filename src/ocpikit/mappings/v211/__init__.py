"""OCPI 2.1.1 mappings: 2.1.1 wire JSON <-> domain (2.2.1-shaped) JSON, one module per module id.

Every module has ``to_domain``, ``to_wire``, ``patch_to_domain`` and ``patch_to_wire`` (see
:mod:`ocpikit.mappings`), a ``PARTS`` tuple (the first is the default), and a docstring table of
what each field becomes and what is lost. Keyword-only options: ``roles=`` (credentials
``to_domain``, versions both ways), ``token=`` (tokens ``to_domain`` of ``authorization_info``),
``timeout=`` (commands ``to_domain`` of ``command_response``).
"""

from __future__ import annotations

from types import ModuleType

from ocpikit.mappings.v211 import (
    cdrs,
    commands,
    credentials,
    locations,
    sessions,
    tariffs,
    tokens,
    versions,
)

__all__ = ["MAPPINGS"]

MAPPINGS: dict[str, ModuleType] = {
    "cdrs": cdrs,
    "commands": commands,
    "credentials": credentials,
    "locations": locations,
    "sessions": sessions,
    "tariffs": tariffs,
    "tokens": tokens,
    "versions": versions,
}
