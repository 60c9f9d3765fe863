"""OCPI 2.2.1 Versions module objects (``version_information_endpoint.asciidoc``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from ocpikit.protocol.v221.common import OcpiModel
from ocpikit.types import URL

__all__ = ["Endpoint", "InterfaceRole", "Version", "VersionDetails"]


class InterfaceRole(StrEnum):
    """``§InterfaceRole enum``."""

    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


class Version(OcpiModel):
    """``§Version class``: one entry of the version information endpoint."""

    version: str
    url: URL


class Endpoint(OcpiModel):
    """``§Endpoint class``. ``identifier`` is kept a string: custom modules exist (VER-08)."""

    identifier: str
    role: InterfaceRole
    url: URL


class VersionDetails(OcpiModel):
    """``§Version details endpoint`` data."""

    version: str
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
