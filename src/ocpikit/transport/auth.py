"""``Authorization: Token <token>`` (``transport_and_format.asciidoc §Authorization header``).

From 2.2 the token is Base64-encoded; many 2.1.1 and 2.2 peers send it plain (TF-04), so an
incoming header is accepted when either its decoded value or its raw value matches a token we
issued. The literal ``Token`` is matched case-insensitively (TF-03).
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["authorization_header", "encode_token", "token_candidates"]

_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")


def encode_token(token: str, encoding: str = "base64") -> str:
    """The value to put after ``Token `` for a peer that expects ``encoding``."""
    if encoding == "plain":
        return token
    return base64.b64encode(token.encode()).decode()


def authorization_header(token: str, encoding: str = "base64") -> str:
    return f"Token {encode_token(token, encoding)}"


def token_candidates(header: str | None) -> list[str]:
    """The spellings of the token carried by an Authorization header (empty when none).

    Returns the Base64-decoded value first (when the value is valid Base64 of printable
    ASCII), then the raw value.
    """
    if not header:
        return []
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "token" or not value or len(value) > 512:
        return []
    candidates: list[str] = []
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if decoded and _PRINTABLE.match(decoded):
        candidates.append(decoded)
    if _PRINTABLE.match(value):
        candidates.append(value)
    return candidates
