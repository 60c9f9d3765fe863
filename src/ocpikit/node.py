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
from ocpikit.storage.repositories import LocalParty

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

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    def details_url(self, version: str) -> str:
        return f"{self.base_url}/ocpi/{version}"

    def roles(self) -> set[str]:
        return {p.role for p in self.parties}
