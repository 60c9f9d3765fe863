"""What differs between OCPI versions, in one place (``conventions.md``, "Versions side by side").

Behaviour is written once, in the modules; each :class:`VersionProfile` carries the few
facts in which versions differ, and code asks the profile instead of comparing version
strings. Adding 2.1.1 or 2.3.0 means adding a profile and its wire models, not copying
handlers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROFILES", "SUPPORTED_VERSIONS", "VersionProfile", "profile", "version_key"]


@dataclass(frozen=True, slots=True)
class VersionProfile:
    """The behaviour of one OCPI version.

    Attributes:
        version: the VersionNumber on the wire.
        token_base64: whether ``Authorization: Token`` carries Base64 (2.2+) or the token
            itself (2.1.1).
        endpoints_have_role: whether version details list a SENDER/RECEIVER role per
            endpoint (2.2+); 2.1.1 endpoints have none.
        credentials_have_roles: whether Credentials carry a list of roles (2.2+) or a single
            party (2.1.1).
    """

    version: str
    token_base64: bool = True
    endpoints_have_role: bool = True
    credentials_have_roles: bool = True

    @property
    def token_encoding(self) -> str:
        return "base64" if self.token_base64 else "plain"


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a VersionNumber (``2.2.1`` > ``2.2`` > ``2.1.1``); junk sorts lowest."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)


V221 = VersionProfile(version="2.2.1")

PROFILES: dict[str, VersionProfile] = {p.version: p for p in (V221,)}
SUPPORTED_VERSIONS: tuple[str, ...] = tuple(sorted(PROFILES, key=version_key, reverse=True))


def profile(version: str) -> VersionProfile:
    """The profile of a supported version.

    Raises:
        KeyError: for a version this node does not speak.
    """
    return PROFILES[version]
