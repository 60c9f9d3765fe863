"""OCPI 2.2.1 Tokens module wire models (``mod_tokens.asciidoc``)."""

from __future__ import annotations

from enum import StrEnum

from ocpikit.protocol.v221.common import (
    Bool,
    DisplayText,
    OcpiModel,
    OcpiPatch,
    ProfileType,
    TokenType,
)
from ocpikit.types import CiString2, CiString3, CiString36, DateTime, String2, String64

__all__ = [
    "AllowedType",
    "AuthorizationInfo",
    "EnergyContract",
    "LocationReferences",
    "Token",
    "TokenPatch",
    "TokenType",
    "WhitelistType",
]


class AllowedType(StrEnum):
    """``mod_tokens.asciidoc §AllowedType enum``."""

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


class WhitelistType(StrEnum):
    """``mod_tokens.asciidoc §WhitelistType enum``."""

    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class EnergyContract(OcpiModel):
    """``mod_tokens.asciidoc §EnergyContract class``."""

    supplier_name: String64
    contract_id: String64 | None = None


class LocationReferences(OcpiModel):
    """``mod_tokens.asciidoc §LocationReferences class``.

    Also the body of ``POST {tokens_endpoint_url}{token_uid}/authorize``.
    """

    location_id: CiString36
    evse_uids: list[CiString36] | None = None


class Token(OcpiModel):
    """``mod_tokens.asciidoc §Token Object``."""

    country_code: CiString2
    party_id: CiString3
    uid: CiString36
    type: TokenType
    contract_id: CiString36
    visual_number: String64 | None = None
    issuer: String64
    group_id: CiString36 | None = None
    valid: Bool
    whitelist: WhitelistType
    language: String2 | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: DateTime


class AuthorizationInfo(OcpiModel):
    """``mod_tokens.asciidoc §AuthorizationInfo Object``."""

    allowed: AllowedType
    token: Token
    location: LocationReferences | None = None
    authorization_reference: CiString36 | None = None
    info: DisplayText | None = None


class TokenPatch(OcpiPatch):
    """PATCH body of a Token (``mod_tokens.asciidoc §PATCH Method``).

    Every :class:`Token` field is optional; ``last_updated`` is required.
    """

    country_code: CiString2 | None = None
    party_id: CiString3 | None = None
    uid: CiString36 | None = None
    type: TokenType | None = None
    contract_id: CiString36 | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    group_id: CiString36 | None = None
    valid: Bool | None = None
    whitelist: WhitelistType | None = None
    language: String2 | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
