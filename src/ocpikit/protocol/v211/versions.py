"""OCPI 2.1.1 Versions module objects (``version_information_endpoint.md``).

2.1.1 endpoints have no ``role`` (2.2 added InterfaceRole); the OpenAPI description of 2.1.1
requires one, the text does not have it: these models follow the text.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ocpikit.protocol.v211.common import OcpiModel
from ocpikit.types import URL

__all__ = ["Endpoint", "Version", "VersionDetails"]


class Version(OcpiModel):
    """``§Version class``: one entry of the version information endpoint.

    ``version`` is a VersionNumber ("2.0", "2.1", "2.1.1"), kept a string: a peer's versions
    list names versions newer than 2.1.1 too.
    """

    version: str
    url: URL


class Endpoint(OcpiModel):
    """``§Endpoint class``. ``identifier`` is a string: custom ModuleIDs are allowed."""

    identifier: str
    url: URL


class VersionDetails(OcpiModel):
    """``§Version details endpoint`` data."""

    version: str
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
