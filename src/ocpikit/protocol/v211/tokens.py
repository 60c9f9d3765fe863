"""OCPI 2.1.1 Tokens module wire models (``mod_tokens.md``).

A 2.1.1 Token has ``auth_id`` (2.2: ``contract_id``) and no owner codes, ``group_id``,
``default_profile_type`` or ``energy_contract``; AuthorizationInfo has no ``token`` and no
``authorization_reference``; LocationReferences has ``connector_ids``. The OpenAPI description
of 2.1.1 describes the 2.2.1 objects instead; these models follow the 2.1.1 text.
"""

from __future__ import annotations

from enum import StrEnum

from ocpikit.protocol.v211.common import (
    Bool,
    DisplayText,
    OcpiModel,
    OcpiPatch,
    String2,
    String36,
    String39,
    String64,
    TokenType,
)
from ocpikit.types import DateTime

__all__ = [
    "Allowed",
    "AuthorizationInfo",
    "LocationReferences",
    "Token",
    "TokenPatch",
    "TokenType",
    "WhitelistType",
]


class Allowed(StrEnum):
    """``mod_tokens.md §4.1 Allowed enum`` (2.2 renamed it AllowedType, same values)."""

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


class WhitelistType(StrEnum):
    """``mod_tokens.md §4.4 WhitelistType enum``."""

    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class LocationReferences(OcpiModel):
    """``mod_tokens.md §4.2 LocationReferences class``.

    Also the (optional) body of ``POST {tokens_endpoint_url}{token_uid}/authorize``.
    """

    location_id: String39
    evse_uids: list[String39] | None = None
    connector_ids: list[String36] | None = None


class Token(OcpiModel):
    """``mod_tokens.md §3.2 Token Object``.

    "The combination of uid and type should be unique for every token within the eMSP's
    system." The owner is the party of the connection (or of the URL), not a field.
    """

    uid: String36
    type: TokenType
    auth_id: String36
    visual_number: String64 | None = None
    issuer: String64
    valid: Bool
    whitelist: WhitelistType
    language: String2 | None = None
    last_updated: DateTime


class AuthorizationInfo(OcpiModel):
    """``mod_tokens.md §3.1 AuthorizationInfo Object``."""

    allowed: Allowed
    location: LocationReferences | None = None
    info: DisplayText | None = None


class TokenPatch(OcpiPatch):
    """PATCH body of a Token (``mod_tokens.md §2.1.2 PATCH Method``).

    Every :class:`Token` field is optional, ``last_updated`` too (2.1.1).
    """

    uid: String36 | None = None
    type: TokenType | None = None
    auth_id: String36 | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    valid: Bool | None = None
    whitelist: WhitelistType | None = None
    language: String2 | None = None
