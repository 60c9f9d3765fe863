"""Discovering a peer's API: its versions and the endpoints of one version.

Used by both sides of the credentials handshake (``credentials.asciidoc §Registration``): the
initiator discovers the receiver with token A; the receiver calls back the initiator with
token B inside the POST (CRED-15).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from ocpikit.client.http import PeerHttp
from ocpikit.errors import PeerError
from ocpikit.protocol.v221.versions import Version, VersionDetails
from ocpikit.versions import SUPPORTED_VERSIONS, version_key

__all__ = ["DiscoveryError", "PeerApi", "discover", "pick_version"]


class DiscoveryError(Exception):
    """The peer's API cannot be used.

    Attributes:
        reason: ``unreachable`` (3001), ``version`` (3002) or ``endpoints`` (3003).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PeerApi:
    versions_url: str
    version: str
    version_url: str
    endpoints: list[dict[str, str]]
    token_encoding: str


def pick_version(offered: list[Version], wanted: str | None = None) -> Version:
    """The highest version both sides speak (or exactly ``wanted``).

    Raises:
        DiscoveryError: ``version`` when there is none.
    """
    mutual = [v for v in offered if v.version in SUPPORTED_VERSIONS]
    if wanted is not None:
        mutual = [v for v in mutual if v.version == wanted]
    if not mutual:
        theirs = ", ".join(v.version for v in offered) or "none"
        ours = wanted or ", ".join(SUPPORTED_VERSIONS)
        raise DiscoveryError(f"no common OCPI version (peer: {theirs}; ours: {ours})", "version")
    return max(mutual, key=lambda v: version_key(v.version))


async def discover(http: PeerHttp, versions_url: str, *, version: str | None = None) -> PeerApi:
    """GET the peer's versions, pick one, GET its details and check they are usable.

    Raises:
        DiscoveryError: when the API cannot be reached or read, shares no version with us, or
            has no credentials endpoint.
    """
    try:
        reply = await http.get(versions_url)
        if not isinstance(reply.data, list):
            raise DiscoveryError(f"{versions_url} did not return a list of versions", "unreachable")
        offered = [Version.model_validate(v) for v in reply.data]
        chosen = pick_version(offered, version)
        details_reply = await http.get(chosen.url)
        details = VersionDetails.model_validate(details_reply.data)
    except PeerError as exc:
        raise DiscoveryError(exc.message, "unreachable") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DiscoveryError(
            f"the peer's version information is not valid OCPI ({where}: {first['msg']})",
            "unreachable",
        ) from exc
    if details.version != chosen.version:
        raise DiscoveryError(
            f"{chosen.url} describes version {details.version}, not {chosen.version}",
            "unreachable",
        )
    endpoints = [e.model_dump(mode="json") for e in details.endpoints]
    if not any(e["identifier"] == "credentials" for e in endpoints):
        raise DiscoveryError(
            f"version {chosen.version} of the peer has no credentials endpoint", "endpoints"
        )
    return PeerApi(
        versions_url=versions_url,
        version=chosen.version,
        version_url=chosen.url,
        endpoints=endpoints,
        token_encoding=http.encoding,
    )
