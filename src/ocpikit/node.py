"""The running node: settings, database, identity and the interfaces it serves.

One :class:`Node` per process, created by ``create_app`` and reached by handlers through
``request.app.state.node``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from ocpikit.client.http import http_client
from ocpikit.config import Settings
from ocpikit.storage.db import Database
from ocpikit.storage.recorder import EventRecorder
from ocpikit.storage.repositories import LocalParty
from ocpikit.versions import PROFILES, SUPPORTED_VERSIONS, VersionProfile

__all__ = ["Node", "credentials_roles"]


def credentials_roles(parties: list[LocalParty]) -> list[dict[str, Any]]:
    """The CredentialsRole list of the node's local parties (CRED-02)."""
    return [
        {
            "role": p.role,
            "business_details": p.business_details,
            "party_id": p.party_id,
            "country_code": p.country_code,
        }
        for p in parties
    ]


@dataclass
class Node:
    settings: Settings
    db: Database
    base_url: str = ""
    parties: list[LocalParty] = field(default_factory=list)
    # version -> list of {"identifier", "role", "url"} actually mounted for that version
    endpoints: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # One pooled client for calls made inside requests (the handshake callback).
    http: httpx.AsyncClient = field(default_factory=http_client)
    # Events of answers that change nothing (authorizations), written off the answer's path.
    events: EventRecorder = field(init=False)

    def __post_init__(self) -> None:
        self.events = EventRecorder(self.db)

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    def party_versions_url(self, party: LocalParty) -> str:
        """The versions endpoint a 2.1.1 peer of ``party`` registers with."""
        return f"{self.base_url}/ocpi/{party.country_code}/{party.party_id}/versions"

    def versions(self) -> list[VersionProfile]:
        """The versions this node offers, newest first (``OCPIKIT_VERSIONS``)."""
        return [PROFILES[v] for v in SUPPORTED_VERSIONS if v in self.settings.versions]

    def per_party_parties(self) -> list[LocalParty]:
        """The parties a per-party version (2.1.1) serves: CPOs and eMSPs, in order."""
        return [p for p in self.parties if p.role in ("CPO", "EMSP")]

    def endpoints_key(self, version: str, party: LocalParty | None = None) -> str:
        if party is None:
            return version
        return f"{version}/{party.country_code}/{party.party_id}"

    def details_url(self, version: str, party: LocalParty | None = None) -> str:
        """The version details URL of ``version`` (per party for a per-party version)."""
        if not PROFILES[version].per_party:
            party = None  # a version with roles has one details endpoint for every party
        elif party is None:
            parties = self.per_party_parties()
            party = parties[0] if parties else None
        if party is None:
            return f"{self.base_url}/ocpi/{version}"
        return f"{self.base_url}/ocpi/{version}/{party.country_code}/{party.party_id}"

    def roles(self) -> set[str]:
        return {p.role for p in self.parties}
