"""Interoperability with an independent implementation: extrawest-ocpi on loopback.

The ``extrawest-ocpi`` package (PyPI, pinned in ``harness.py``) is installed once into a
scratch virtual environment ``.venv-interop`` at the repository root (its dependency pins,
pydantic 1 and an old FastAPI, clash with ours) and run as a subprocess by
``extrawest_peer.py``, in CPO or eMSP role, offering OCPI 2.2.1 only, with its data in memory
(2.1.1: ``test_extrawest_211.py``). ocpikit talks to it over real HTTP:

- the credentials handshake with ocpikit as the initiator (extrawest-ocpi has no code to
  initiate one: it only answers POST/PUT/DELETE credentials), then PUT and DELETE;
- pulls of Locations and Tariffs from the extrawest CPO into the store (page by page);
- pushes (PUT, then an EVSE status PATCH) from an ocpikit CPO to the extrawest eMSP through
  the outbox worker;
- extrawest's own push (its HTTP push endpoint) to an ocpikit eMSP;
- the token encoding and the pagination headers it uses.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from ocpikit.client.ocpi import OcpiClient
from ocpikit.modules.credentials.service import (
    register_with_peer,
    unregister_peer,
    update_with_peer,
)
from ocpikit.modules.locations import service as locations
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import PartyRepository, Peer, PeerRepository
from ocpikit.sync.pull import pull
from tests import factories
from tests.interop.harness import (
    XW_PARTY,
    Extrawest,
    StartExtrawest,
    b64,
    now,
    ocpikit_node,
    received_object,
    wait_for,
)
from tests.support import Databases, RunningNode
from tests.versions import details_path, ocpi_path

pytestmark = pytest.mark.interop


async def _register(node: RunningNode, peer: Extrawest) -> Peer:
    return await register_with_peer(
        node.db, node.client, versions_url=peer.versions_url, token_a=peer.token_a
    )


async def _client(node: RunningNode, peer: Peer) -> OcpiClient:
    async with node.db.connect() as conn:
        parties = await PartyRepository(conn).list()
    return OcpiClient(peer, parties)


# ---- (a) the credentials handshake -----------------------------------------------------------


async def test_register_update_unregister_with_extrawest_cpo(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("CPO")
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        peer = await _register(node, xw)

        assert peer.status == "REGISTERED"
        assert peer.version == "2.2.1"
        # extrawest lowercases every CiString it parses (CI_STRING_LOWERCASE_PREFERENCE);
        # ocpikit stores party ids upper case.
        assert [(r.role, r.country_code, r.party_id) for r in peer.roles] == [("CPO", *XW_PARTY)]
        assert peer.token_encoding == "base64"
        # Endpoint URLs end with a slash, as extrawest publishes them.
        assert peer.endpoint("locations", "SENDER") == f"{xw.url}/ocpi/cpo/2.2.1/locations/"

        state = xw.state()
        assert state["token_a"] == []  # token A was used up
        [registration] = state["registrations"]
        assert registration["token_c"] == peer.token_out
        assert registration["credentials"]["url"] == node.versions_url
        assert registration["credentials"]["roles"][0]["country_code"] == "de"  # lowercased
        ours = {(e["identifier"], e["role"]) for e in registration["endpoints"]["endpoints"]}
        assert ("credentials", "SENDER") in ours
        # It fetched our details with token B, which it keeps to call us.
        token_b = registration["credentials"]["token"]
        ours_with_b = await node.client.get(details_path("2.2.1"), headers=node.auth(token_b))
        assert ours_with_b.status_code == 200

        # PUT credentials: extrawest fetches our endpoints again with the new token B and
        # rotates its token C.
        updated = await update_with_peer(node.db, node.client, peer)
        assert updated.token_out != peer.token_out
        [registration] = xw.state()["registrations"]
        assert registration["token_c"] == updated.token_out
        assert registration["credentials"]["token"] != token_b

        # The old token C no longer works there; the new one does.
        details = f"{xw.url}/ocpi/2.2.1/details"
        old = await node.client.get(
            details, headers={"Authorization": f"Token {b64(peer.token_out or '')}"}
        )
        assert old.status_code == 401
        new = await node.client.get(
            details, headers={"Authorization": f"Token {b64(updated.token_out or '')}"}
        )
        assert new.status_code == 200 and new.json()["status_code"] == 1000

        # DELETE credentials.
        warning = await unregister_peer(node.db, node.client, updated)
        assert warning is None
        assert xw.state()["registrations"] == []


async def test_register_with_extrawest_emsp(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("EMSP")
    async with ocpikit_node(databases, ("NL", "CPO", "CPO")) as node:
        peer = await _register(node, xw)
        assert [(r.role, r.country_code, r.party_id) for r in peer.roles] == [("EMSP", *XW_PARTY)]
        assert peer.endpoint("locations", "RECEIVER") == f"{xw.url}/ocpi/emsp/2.2.1/locations/"
        assert peer.endpoint("tariffs", "RECEIVER") == f"{xw.url}/ocpi/emsp/2.2.1/tariffs/"


async def test_wrong_token_a_is_a_clear_handshake_error(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    from ocpikit.modules.credentials.service import HandshakeError

    xw = extrawest("CPO")
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        # Base64 first: 401. The plain retry makes extrawest fail decoding it (HTTP 200, OCPI
        # 3000); the message keeps the 401, which says what is wrong.
        with pytest.raises(HandshakeError, match=r"HTTP 401.*with a plain token: .*OCPI 3000"):
            await register_with_peer(
                node.db, node.client, versions_url=xw.versions_url, token_a="not-the-token"
            )
        async with node.db.connect() as conn:
            assert await PeerRepository(conn).list() == []


# ---- (b) pull from the extrawest CPO -------------------------------------------------------


async def test_pull_locations_and_tariffs_from_extrawest_cpo(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("CPO")
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        peer = await _register(node, xw)
        async with await _client(node, peer) as client:
            report = await pull(node.db, peer, "locations", False, client, page_size=2)
            assert (report.new, report.invalid, report.foreign) == (3, 0, 0)
            assert report.pages == 2
            assert report.total == 3
            # extrawest's Link always says https:// (and date_from=None when unset): the
            # client pages by offset/limit instead.
            assert any("another host" in q for q in report.quirks), report.quirks

            tariffs = await pull(node.db, peer, "tariffs", False, client)
            assert (tariffs.new, tariffs.invalid) == (1, 0)

            async with node.db.connect() as conn:
                store = ObjectStore(conn)
                stored = await store.get(ObjectKey("locations", *XW_PARTY, "LOC2"))
                tariff = await store.get(ObjectKey("tariffs", *XW_PARTY, "TARIFF1"))
            assert stored is not None and not stored.is_local and stored.peer_id == peer.id
            location = stored.parsed()
            assert location["evses"][0]["connectors"][0]["standard"] == "IEC_62196_T2"
            assert location["id"] == "loc2"  # extrawest lowercases CiStrings on the way out
            assert tariff is not None
            assert tariff.parsed()["elements"][0]["price_components"][0]["price"] == 0.25

            # A change at the CPO: the next (incremental) pull gets it through date_from.
            changed = xw.state()["own"]["locations"]["LOC2"]
            changed["evses"][0]["status"] = "CHARGING"
            changed["evses"][0]["last_updated"] = changed["last_updated"] = now()
            xw.put_own("locations", changed)
            again = await pull(node.db, peer, "locations", False, client)
            assert (again.new, again.updated, again.full) == (0, 1, False)
            queries = [r["query"] for r in xw.requests() if r["path"].endswith("/locations/")]
            assert "date_from=" in queries[-1]

            # A full pull finds every location still listed: none is marked removed.
            full = await pull(node.db, peer, "locations", True, client)
            assert (full.unchanged, full.removed) == (3, 0)

            # GET one location: extrawest wraps the object in a list; the client unwraps it.
            one = await client.get_location("LOC1")
            assert one.id.upper() == "LOC1" and one.evses[0].uid.upper() == "LOC1-E1"


class _TlsProxy(httpx.AsyncHTTPTransport):
    """What a TLS-terminating proxy in front of the peer does: https://host:port -> http."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http")
        return await super().handle_async_request(request)


async def test_pull_from_extrawest_behind_https_follows_no_broken_link(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    """Deployed behind HTTPS, extrawest's Link is on the same origin but its URL is broken."""
    xw = extrawest("CPO")
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        peer = await _register(node, xw)
        https = dataclasses.replace(
            peer,
            endpoints=[
                {**e, "url": e["url"].replace("http://", "https://", 1)} for e in peer.endpoints
            ],
        )
        async with node.db.connect() as conn:
            parties = await PartyRepository(conn).list()
        async with OcpiClient(https, parties, transport=_TlsProxy()) as client:
            report = await pull(node.db, https, "locations", True, client, page_size=2)
        assert (report.new, report.invalid, report.pages) == (3, 0, 2)
        assert any("following its Link failed" in q for q in report.quirks), report.quirks
        fetched = [r for r in xw.requests() if r["method"] == "GET" and "locations" in r["path"]]
        assert any("VersionNumber" in r["path"] for r in fetched)  # it was tried once


# ---- (c) push to the extrawest eMSP --------------------------------------------------------


async def test_push_location_and_evse_status_to_extrawest_emsp(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("EMSP")
    async with ocpikit_node(databases, ("NL", "CPO", "CPO")) as node:
        await _register(node, xw)
        location = Location.model_validate(factories.location("LOC1", last_updated=now()))
        await locations.save_local(node.db, location)
        received = await wait_for(xw, lambda s: received_object(s, "locations", "loc1"))
        assert received["country_code"] == "nl" and received["evses"][0]["status"] == "AVAILABLE"

        key = ObjectKey("locations", "NL", "CPO", "LOC1")
        uid = location.evses[0].uid
        patch = EvsePatch.model_validate({"status": "CHARGING", "last_updated": now()})
        await locations.patch_local_evse(node.db, key, uid, patch)

        def charging(s: dict[str, Any]) -> Any:
            got = received_object(s, "locations", "loc1") or {"evses": []}
            # extrawest moves a patched EVSE to the end of the list.
            return any(e["uid"] == uid.lower() and e["status"] == "CHARGING" for e in got["evses"])

        await wait_for(xw, charging)
        methods = [(r["method"], r["path"]) for r in xw.requests() if "/locations/" in r["path"]]
        assert ("PUT", "/ocpi/emsp/2.2.1/locations/NL/CPO/LOC1") in methods
        assert ("PATCH", f"/ocpi/emsp/2.2.1/locations/NL/CPO/LOC1/{uid}") in methods


# ---- extrawest as a client of ocpikit: its own push ------------------------------------------


async def test_extrawest_cpo_pushes_to_ocpikit_emsp(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("CPO")
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        peer = await _register(node, xw)
        [registration] = xw.state()["registrations"]
        push = {
            "module_id": "locations",
            "object_id": "LOC1",
            "receivers": [
                {
                    "endpoints_url": node.url + details_path("2.2.1"),
                    "auth_token": registration["credentials"]["token"],
                }
            ],
        }
        # extrawest calls this node back while we wait: an async call, not to block its loop.
        reply = await node.client.post(
            f"{xw.url}/push/2.2.1",
            json=push,
            headers={"Authorization": f"Token {b64(peer.token_out or '')}"},
        )
        assert reply.status_code == 200, reply.text
        [answer] = reply.json()["receiver_responses"]
        # extrawest appends "{CC}/{PARTY}/{id}" to the endpoint URL without a slash, so the
        # PUT goes to .../receiver/locationsNL/XWC/LOC1: a 404 from ocpikit. Its push works
        # only with peers whose endpoint URLs end with "/".
        ours = node.url + ocpi_path("2.2.1", "locations", "RECEIVER")
        assert any(e["url"] == ours for e in registration["endpoints"]["endpoints"])
        assert answer["status_code"] == 404
        async with node.db.connect() as conn:
            assert await ObjectStore(conn).get(ObjectKey("locations", *XW_PARTY, "LOC1")) is None


# ---- (d) token encoding and pagination headers -------------------------------------------


async def test_token_encoding_and_pagination_headers(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("CPO")
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        peer = await _register(node, xw)
        token = peer.token_out or ""
        endpoint = peer.endpoint("locations", "SENDER") or ""

        # Base64 (OCPI 2.2.1) on module endpoints; a plain token is refused with HTTP 403 and
        # a FastAPI body, not an OCPI envelope.
        page = await node.client.get(
            endpoint, params={"limit": 2}, headers={"Authorization": f"Token {b64(token)}"}
        )
        assert page.status_code == 200 and len(page.json()["data"]) == 2
        plain = await node.client.get(endpoint, headers={"Authorization": f"Token {token}"})
        assert plain.status_code == 403 and "status_code" not in plain.json()

        # The versions endpoint accepts both (it falls back to the raw token).
        versions = await node.client.get(
            xw.versions_url, headers={"Authorization": f"Token {token}"}
        )
        assert versions.status_code == 200

        # Pagination headers: X-Total-Count, X-Limit, and a Link that always says https://
        # and the /cpo/ path, carrying every filter even when unset ("date_from=None").
        assert page.headers["X-Total-Count"] == "3"
        assert page.headers["X-Limit"] == "2"
        link = page.headers["Link"]
        # extrawest formats Python enums into its Link (".../cpo/VersionNumber.v_2_2_1/
        # ModuleID.locations/?date_from=None&..."): a URL that does not exist there.
        host = xw.url.removeprefix("http://")
        assert link.startswith(f"<https://{host}/ocpi/cpo/VersionNumber.v_2_2_1/"), link
        assert "date_from=None" in link and "offset=2" in link and 'rel="next"' in link
        last = await node.client.get(
            endpoint,
            params={"limit": 2, "offset": 2},
            headers={"Authorization": f"Token {b64(token)}"},
        )
        assert last.headers["Link"] == ""  # an empty Link on the last page

        # The list URL has a trailing slash; without it the server redirects (307).
        redirect = await node.client.get(
            endpoint.rstrip("/"), headers={"Authorization": f"Token {b64(token)}"}
        )
        assert redirect.status_code == 307

        # extrawest called us with Base64 tokens too (our details were fetched with token B).
        assert all(r["authorization"].startswith("Token ") for r in xw.requests())
