"""OCPI 2.2.1 Credentials module objects (``credentials.asciidoc §Object description``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ocpikit.protocol.v221.common import BusinessDetails, OcpiModel, Role
from ocpikit.types import URL, CiString2, CiString3

__all__ = ["Credentials", "CredentialsRole", "CredentialsToken"]

# string(64) of printable non-whitespace ASCII (``§Credentials object``, CRED-01, TF-08).
CredentialsToken = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
]


class CredentialsRole(OcpiModel):
    """``credentials.asciidoc §CredentialsRole class``."""

    role: Role
    business_details: BusinessDetails
    party_id: Annotated[CiString3, StringConstraints(min_length=3)]
    country_code: Annotated[CiString2, StringConstraints(min_length=2)]


class Credentials(OcpiModel):
    """``credentials.asciidoc §Credentials object``."""

    token: CredentialsToken
    url: URL
    roles: Annotated[list[CredentialsRole], Field(min_length=1)]
