"""Discovering a peer's API: its versions and the endpoints of one version.

Used by both sides of the credentials handshake (``credentials.asciidoc §Registration``): the
initiator discovers the receiver with token A; the receiver calls back the initiator with
token B inside the POST (CRED-15).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from ocpikit.catalog import endpoint_role
from ocpikit.client.http import PeerHttp
from ocpikit.errors import PeerError
from ocpikit.protocol.v211.versions import VersionDetails as VersionDetails211
from ocpikit.protocol.v221.versions import Version, VersionDetails
from ocpikit.versions import SUPPORTED_VERSIONS, profile, version_key

__all__ = ["DiscoveryError", "PeerApi", "discover", "pick_version", "with_roles"]


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


def pick_version(
    offered: list[Version], wanted: str | None = None, ours: Sequence[str] = SUPPORTED_VERSIONS
) -> Version:
    """The highest version both sides speak (or exactly ``wanted``); ``ours``: what we offer.

    Raises:
        DiscoveryError: ``version`` when there is none.
    """
    mutual = [v for v in offered if v.version in ours]
    if wanted is not None:
        mutual = [v for v in mutual if v.version == wanted]
    if not mutual:
        theirs = ", ".join(v.version for v in offered) or "none"
        mine = wanted or ", ".join(ours)
        raise DiscoveryError(f"no common OCPI version (peer: {theirs}; ours: {mine})", "version")
    return max(mutual, key=lambda v: version_key(v.version))


def _details_model(version: str) -> type[VersionDetails | VersionDetails211]:
    """Version details with roles per endpoint (2.2+), or without (2.1.1)."""
    return VersionDetails if profile(version).endpoints_have_role else VersionDetails211


def with_roles(endpoints: list[dict[str, str]], party_role: str) -> list[dict[str, str]]:
    """Role-less endpoints (OCPI 2.1.1) with the role each has at a party of ``party_role``.

    Stored this way, every later lookup (``peer.endpoint("locations", "SENDER")``) reads a
    2.1.1 peer like a 2.2.1 one.
    """
    return [
        {**e, "role": e.get("role") or endpoint_role(e["identifier"], party_role)}
        for e in endpoints
    ]


def _expect_encoding(http: PeerHttp, version: str) -> None:
    """Tokens of a version without Base64 (2.1.1) go plain, whatever the versions URL took.

    A peer's versions endpoint, shared by all its versions, may take both encodings (as
    extrawest-ocpi's does) and so teach a probe "Base64", which its 2.1.1 modules refuse. In
    2.2 a plain token is a known deviation (TF-04), so what the probe learnt is kept there.
    """
    if not profile(version).token_base64:
        http.use("plain")


async def discover(
    http: PeerHttp,
    versions_url: str,
    *,
    version: str | None = None,
    ours: Sequence[str] = SUPPORTED_VERSIONS,
) -> PeerApi:
    """GET the peer's versions, pick one, GET its details and check they are usable.

    Raises:
        DiscoveryError: when the API cannot be reached or read, shares no version with us, or
            has no credentials endpoint.
    """
    if version is not None:
        _expect_encoding(http, version)
    try:
        reply = await http.get(versions_url)
        if not isinstance(reply.data, list):
            raise DiscoveryError(f"{versions_url} did not return a list of versions", "unreachable")
        offered = [Version.model_validate(v) for v in reply.data]
        chosen = pick_version(offered, version, ours)
        _expect_encoding(http, chosen.version)
        details_reply = await http.get(chosen.url)
        details = _details_model(chosen.version).model_validate(details_reply.data)
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
