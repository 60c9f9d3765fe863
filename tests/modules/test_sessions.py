"""Sessions, Sender and Receiver, through real HTTP and a real database."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from ocpikit.modules.locations import service as locations
from ocpikit.modules.sessions import preferences, service
from ocpikit.protocol.v221.locations import Location
from ocpikit.protocol.v221.sessions import Session, SessionPatch
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.schema import outbox
from tests import factories
from tests.support import Pair, RunningNode
from tests.versions import VERSIONS

FROM = "date_from=2000-01-01T00:00:00Z"
OTHER_EMSP = factories.cdr_token("FR", "XXX", "OTHER")


async def save(node: RunningNode, **kwargs) -> None:
    await service.save_local(node.db, Session.model_validate(factories.session(**kwargs)))


async def seed(node: RunningNode, count: int, **kwargs) -> None:
    for i in range(count):
        await save(node, sid=f"S{i:03d}", last_updated=f"2026-01-{1 + i:02d}T00:00:00Z", **kwargs)


async def stored(node: RunningNode, sid: str, cc: str = "NL", pid: str = "CPO") -> dict | None:
    async with node.db.connect() as conn:
        obj = await ObjectStore(conn).get(ObjectKey("sessions", cc, pid, sid))
    return obj.parsed() if obj else None


async def outbox_rows(node: RunningNode) -> list:
    async with node.db.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


async def event_kinds(node: RunningNode) -> list[str]:
    async with node.db.connect() as conn:
        return [e.kind for e in await EventLog(conn).after(0)]


async def capable_location(node: RunningNode, capable: bool = True) -> None:
    loc = factories.location("LOC1")
    if capable:
        loc["evses"][0]["capabilities"].append("CHARGING_PREFERENCES_CAPABLE")
    await locations.save_local(node.db, Location.model_validate(loc))


def sender(pair: Pair) -> str:
    return pair.cpo_url("sessions", "SENDER")


def receiver(pair: Pair) -> str:
    return pair.emsp_url("sessions", "RECEIVER")


async def embedded_location(pair: Pair) -> None:
    """A 2.1.1 Session embeds its Location: the CPO node needs LOC1 to render one."""
    if not pair.profile.canonical:
        await locations.save_local(pair.cpo.db, Location.model_validate(factories.location("LOC1")))


async def emsp_has_location(pair: Pair) -> None:
    """A 2.1.1 Session is read back with its Location: the eMSP node needs LOC1 (pushed to it).

    Without it the eMSP's 2.1.1 GET of a Session it holds is a 404 ("no OCPI 2.1.1 form"):
    the Location embedded in the PUT Session is not kept.
    """
    if not pair.profile.canonical:
        r = await pair.emsp.client.put(
            f"{pair.emsp_url('locations', 'RECEIVER')}/NL/CPO/LOC1",
            json=pair.wire("locations", factories.location("LOC1")),
            headers=pair.emsp_headers(),
        )
        assert r.json()["status_code"] == 1000, r.text


async def put_session(pair: Pair, session: dict, cc: str = "NL", pid: str = "CPO"):
    """PUT a factory Session, in the pair's version, to the eMSP's Receiver."""
    return await pair.emsp.client.put(
        f"{receiver(pair)}/{cc}/{pid}/{session['id']}",
        json=pair.wire("sessions", session),
        headers=pair.emsp_headers(),
    )


async def patch_session(pair: Pair, patch: dict, path: str = "/NL/CPO/S1"):
    """PATCH a domain Session patch, in the pair's version, to the eMSP's Receiver."""
    return await pair.emsp.client.patch(
        f"{receiver(pair)}{path}",
        json=pair.wire("sessions", patch, patch=True),
        headers=pair.emsp_headers(),
    )


# The 2.1.1 form of the factory token, as a 2.1.1 Session's ``auth_id`` brings it in (the eMSP
# holds no Token of that contract id here): uid = contract_id = auth_id.
TOKEN_211 = factories.cdr_token()["contract_id"]


# ---- Sender -------------------------------------------------------------------------------


async def test_version_details_list_sessions_by_role(vpair: Pair):
    cpo_side = {
        "identifier": "sessions",
        "role": "SENDER",
        "url": f"{vpair.cpo.url}{sender(vpair)}",
    }
    emsp_side = {
        "identifier": "sessions",
        "role": "RECEIVER",
        "url": f"{vpair.emsp.url}{receiver(vpair)}",
    }
    if not vpair.profile.endpoints_have_role:  # 2.1.1: the party's role says which it is
        del cpo_side["role"], emsp_side["role"]
    r = await vpair.cpo.client.get(vpair.cpo_details(), headers=vpair.cpo_headers())
    assert cpo_side in r.json()["data"]["endpoints"]
    r = await vpair.emsp.client.get(vpair.emsp_details(), headers=vpair.emsp_headers())
    assert emsp_side in r.json()["data"]["endpoints"]


async def test_sender_list_requires_date_from(vpair: Pair):
    await embedded_location(vpair)
    await seed(vpair.cpo, 1)
    r = await vpair.cpo.client.get(sender(vpair), headers=vpair.cpo_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001
    assert "date_from" in r.json()["status_message"]


async def test_sender_pages_follow_links_to_every_session(vpair: Pair):
    await embedded_location(vpair)
    await seed(vpair.cpo, 5)
    url, seen = f"{sender(vpair)}?{FROM}&limit=2", []
    while url:
        r = await vpair.cpo.client.get(url, headers=vpair.cpo_headers())
        assert r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "5"
        assert r.headers["X-Limit"] == "2"
        seen += [s["id"] for s in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
        assert not url or "date_from=" in url
    assert seen == [f"S{i:03d}" for i in range(5)]


async def test_sender_date_filters_are_inclusive_from_and_exclusive_to(vpair: Pair):
    await embedded_location(vpair)
    await seed(vpair.cpo, 5)  # last_updated 2026-01-01 .. 2026-01-05
    r = await vpair.cpo.client.get(
        f"{sender(vpair)}?date_from=2026-01-02T00:00:00Z&date_to=2026-01-04T00:00:00Z",
        headers=vpair.cpo_headers(),
    )
    assert [s["id"] for s in r.json()["data"]] == ["S001", "S002"]
    assert r.headers["X-Total-Count"] == "2"


async def test_sender_lists_only_sessions_of_the_callers_tokens(vpair: Pair):
    await embedded_location(vpair)
    await seed(vpair.cpo, 2)
    await save(vpair.cpo, sid="FOREIGN", token=OTHER_EMSP)
    r = await vpair.cpo.client.get(f"{sender(vpair)}?{FROM}", headers=vpair.cpo_headers())
    assert [s["id"] for s in r.json()["data"]] == ["S000", "S001"]
    assert r.headers["X-Total-Count"] == "2"


# ---- Sender: charging preferences (2.2.1 only: 2.1.1 has none) ----------------------------


async def test_charging_preferences_accepted_are_stored_with_an_event(pair: Pair):
    await capable_location(pair.cpo)
    await save(pair.cpo)
    body = {"profile_type": "FAST", "departure_time": "2099-01-01T18:00:00Z", "energy_need": 20}
    r = await pair.cpo.client.put(
        f"{sender(pair)}/s1/charging_preferences", json=body, headers=pair.cpo_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 1000
    assert r.json()["data"] == "ACCEPTED"
    prefs = await preferences.get_preferences(pair.cpo.db, ObjectKey("sessions", "NL", "CPO", "S1"))
    assert prefs is not None and prefs.profile_type == "FAST" and prefs.energy_need == 20
    assert "session.charging_preferences" in await event_kinds(pair.cpo)
    # The preferences are not a session: the list is unchanged.
    r = await pair.cpo.client.get(f"{sender(pair)}?{FROM}", headers=pair.cpo_headers())
    assert [s["id"] for s in r.json()["data"]] == ["S1"]


async def test_charging_preferences_of_unknown_or_foreign_session_is_404(pair: Pair):
    await capable_location(pair.cpo)
    await save(pair.cpo, sid="FOREIGN", token=OTHER_EMSP)
    for sid in ("NOPE", "FOREIGN"):
        r = await pair.cpo.client.put(
            f"{sender(pair)}/{sid}/charging_preferences",
            json={"profile_type": "REGULAR"},
            headers=pair.cpo_headers(),
        )
        assert r.status_code == 404
        assert r.json()["status_code"] == 2000
    assert "session.charging_preferences" not in await event_kinds(pair.cpo)


async def test_charging_preferences_on_an_evse_without_the_capability_is_404_2001(pair: Pair):
    await capable_location(pair.cpo, capable=False)
    await save(pair.cpo)
    r = await pair.cpo.client.put(
        f"{sender(pair)}/S1/charging_preferences",
        json={"profile_type": "REGULAR"},
        headers=pair.cpo_headers(),
    )
    assert r.status_code == 404
    assert r.json()["status_code"] == 2001
    assert "CHARGING_PREFERENCES_CAPABLE" in r.json()["status_message"]


@pytest.mark.parametrize(
    ("session", "body", "answer"),
    [
        ({"status": "COMPLETED"}, {"profile_type": "CHEAP"}, "NOT_POSSIBLE"),
        ({}, {"profile_type": "CHEAP", "departure_time": "2020-01-01T00:00:00Z"}, "NOT_POSSIBLE"),
        ({}, {"profile_type": "GREEN"}, "PROFILE_TYPE_NOT_SUPPORTED"),
        ({}, {"profile_type": "FAST"}, "ACCEPTED"),
    ],
)
async def test_charging_preferences_answers(pair: Pair, session: dict, body: dict, answer: str):
    await capable_location(pair.cpo)  # connector tariff T1, a PROFILE_FAST tariff
    tariff = {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "T1",
        "currency": "EUR",
        "type": "PROFILE_FAST",
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.3, "step_size": 1}]}],
        "last_updated": "2026-01-01T00:00:00Z",
    }
    async with pair.cpo.db.transaction() as conn:
        await ObjectStore(conn).put(
            ObjectKey("tariffs", "NL", "CPO", "T1"),
            orjson.dumps(tariff),
            last_updated=Session.model_validate(factories.session()).last_updated,
            is_local=True,
        )
    await save(pair.cpo, **session)
    r = await pair.cpo.client.put(
        f"{sender(pair)}/S1/charging_preferences", json=body, headers=pair.cpo_headers()
    )
    assert r.json()["status_code"] == 1000
    assert r.json()["data"] == answer
    stored_prefs = await preferences.get_preferences(
        pair.cpo.db, ObjectKey("sessions", "NL", "CPO", "S1")
    )
    assert (stored_prefs is not None) == (answer == "ACCEPTED")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"profile_type": "TURBO"}, "profile_type"),
        ({"departure_time": "2099-01-01T00:00:00Z"}, "profile_type"),
        ({"profile_type": "FAST", "energy_need": "lots"}, "energy_need"),
    ],
)
async def test_bad_charging_preferences_are_2001_naming_the_field(
    pair: Pair, body: dict, field: str
):
    await capable_location(pair.cpo)
    await save(pair.cpo)
    r = await pair.cpo.client.put(
        f"{sender(pair)}/S1/charging_preferences", json=body, headers=pair.cpo_headers()
    )
    assert r.json()["status_code"] == 2001
    assert field in r.json()["status_message"]


# ---- Receiver -----------------------------------------------------------------------------


async def test_receiver_put_creates_then_replaces_and_get_reads_it(vpair: Pair):
    await emsp_has_location(vpair)
    r = await put_session(vpair, factories.session())
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    assert "data" not in r.json()
    r = await put_session(vpair, factories.session(kwh=3.5, last_updated="2026-01-01T11:00:00Z"))
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    r = await vpair.emsp.client.get(f"{receiver(vpair)}/nl/cpo/s1", headers=vpair.emsp_headers())
    assert r.json()["data"]["kwh"] == 3.5
    # (Without the 2.1.1 Location's own events.)
    kinds = [k for k in await event_kinds(vpair.emsp) if not k.startswith("location.")]
    assert kinds == ["session.created", "session.updated"]


async def test_receiver_put_replaces_charging_periods_and_removes_them_when_omitted(vpair: Pair):
    first = factories.session(
        charging_periods=[
            factories.charging_period(),
            factories.charging_period(start="2026-01-01T10:30:00Z"),
        ]
    )
    await put_session(vpair, first)
    replaced = factories.session(
        last_updated="2026-01-01T11:00:00Z",
        charging_periods=[factories.charging_period(start="2026-01-01T10:45:00Z", kwh=2)],
    )
    await put_session(vpair, replaced)
    session = await stored(vpair.emsp, "S1")
    assert session is not None
    assert [p["start_date_time"] for p in session["charging_periods"]] == ["2026-01-01T10:45:00Z"]
    await put_session(vpair, factories.session(last_updated="2026-01-01T12:00:00Z"))
    session = await stored(vpair.emsp, "S1")
    assert session is not None and "charging_periods" not in session


async def test_receiver_patch_appends_charging_periods(vpair: Pair):
    await put_session(vpair, factories.session(charging_periods=[factories.charging_period()]))
    patch = {
        "kwh": 3,
        "charging_periods": [factories.charging_period(start="2026-01-01T10:30:00Z", kwh=1.5)],
        "total_cost": {"excl_vat": 0.8, "incl_vat": 0.88},
        "last_updated": "2026-01-01T10:30:00Z",
    }
    r = await patch_session(vpair, patch)
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    # A retried delivery of the same PATCH does not add the period twice.
    await patch_session(vpair, patch)
    # An empty list leaves the periods as they are.
    await patch_session(
        vpair,
        {"status": "COMPLETED", "charging_periods": [], "last_updated": "2026-01-01T11:00:00Z"},
    )
    session = await stored(vpair.emsp, "S1")
    assert session is not None
    assert [p["start_date_time"] for p in session["charging_periods"]] == [
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:30:00Z",
    ]
    assert session["kwh"] == 3
    if vpair.version == "2.1.1":  # a 2.1.1 total_cost is one number, excl. VAT
        assert session["total_cost"] == {"excl_vat": 0.8}
        assert session["cdr_token"]["uid"] == TOKEN_211  # untouched fields stay
    else:
        assert session["total_cost"] == {"excl_vat": 0.8, "incl_vat": 0.88}
        assert session["cdr_token"]["uid"] == "TOKEN1"  # untouched fields stay
    assert session["status"] == "COMPLETED"
    assert session["last_updated"] == "2026-01-01T11:00:00Z"


async def test_older_put_and_patch_are_accepted_but_ignored(vpair: Pair):
    await put_session(vpair, factories.session(kwh=5, last_updated="2026-01-01T12:00:00Z"))
    r = await put_session(vpair, factories.session(kwh=1))
    assert r.json()["status_code"] == 1000
    r = await patch_session(vpair, {"status": "INVALID", "last_updated": "2026-01-01T11:00:00Z"})
    assert r.json()["status_code"] == 1000
    session = await stored(vpair.emsp, "S1")
    assert session is not None and session["kwh"] == 5 and session["status"] == "ACTIVE"


# Bad PATCH bodies as sent (the mappings would make them valid) and the field the 2001 names.
BAD_PATCHES = [
    ({"id": "OTHER", "last_updated": "2026-02-01T00:00:00Z"}, "id"),
    ({"status": "STOPPED", "last_updated": "2026-02-01T00:00:00Z"}, "status"),
    ({"meter_id": "m" * 256, "last_updated": "2026-02-01T00:00:00Z"}, "meter_id"),
    (
        {
            "charging_periods": [{"start_date_time": "2026-01-01T10:00:00Z", "dimensions": []}],
            "last_updated": "2026-02-01T00:00:00Z",
        },
        "charging_periods.0.dimensions",
    ),
    ({"kwh": "many", "last_updated": "2026-02-01T00:00:00Z"}, "kwh"),
]
# 2.2.1 only: a PATCH must carry last_updated (2.1.1's need not); 2.1.1 bodies name no party.
BAD_PATCHES_221 = [
    ({"status": "COMPLETED"}, "last_updated"),
    ({"party_id": "XYZ", "last_updated": "2026-02-01T00:00:00Z"}, "party_id"),
]


@pytest.mark.parametrize(
    ("profile", "body", "field"),
    [
        *[(version, *case) for version in VERSIONS for case in BAD_PATCHES],
        *[("2.2.1", *case) for case in BAD_PATCHES_221],
    ],
    indirect=["profile"],
)
async def test_bad_patch_is_2001_naming_the_field_and_stores_nothing(
    vpair: Pair, body: dict, field: str
):
    await put_session(vpair, factories.session())
    before = await stored(vpair.emsp, "S1")
    r = await vpair.emsp.client.patch(
        f"{receiver(vpair)}/NL/CPO/S1", json=body, headers=vpair.emsp_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(vpair.emsp, "S1") == before


# Mutations of the wire form; 2.1.1 carries the token as ``auth_id``.
BAD_PUTS = [
    (lambda s: s.pop("cdr_token" if "cdr_token" in s else "auth_id"), "cdr_token"),
    (lambda s: s.pop("last_updated"), "last_updated"),
    (lambda s: s.update(id="OTHER"), "id"),
    (lambda s: s.update(status="RESERVED"), "status"),
    (lambda s: s.update(auth_method="CARD"), "auth_method"),
]
# 2.2.1 only: what a 2.1.1 Session has no field for (owner, token object, location_id).
BAD_PUTS_221 = [
    (lambda s: s.update(country_code="BE"), "country_code"),
    (lambda s: s.update(location_id="L" * 37), "location_id"),
    (lambda s: s["cdr_token"].update(type="PHONE"), "cdr_token.type"),
    (lambda s: s["cdr_token"].pop("uid"), "cdr_token.uid"),
]


@pytest.mark.parametrize(
    ("profile", "mutate", "field"),
    [
        *[(version, *case) for version in VERSIONS for case in BAD_PUTS],
        *[("2.2.1", *case) for case in BAD_PUTS_221],
    ],
    indirect=["profile"],
)
async def test_bad_put_is_2001_naming_the_field_and_stores_nothing(vpair: Pair, mutate, field: str):
    session = vpair.wire("sessions", factories.session())
    mutate(session)
    if vpair.version == "2.1.1" and field == "cdr_token":
        field = "auth_id"
    r = await vpair.emsp.client.put(
        f"{receiver(vpair)}/NL/CPO/S1", json=session, headers=vpair.emsp_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(vpair.emsp, "S1") is None
    assert await event_kinds(vpair.emsp) == []


async def test_patch_of_an_unknown_session_is_404(vpair: Pair):
    patch = {"status": "COMPLETED", "last_updated": "2026-01-01T00:00:00Z"}
    r = await patch_session(vpair, patch, "/NL/CPO/NOPE")
    assert r.status_code == 404
    assert await stored(vpair.emsp, "NOPE") is None


async def test_peer_cannot_write_or_read_under_another_party(vpair: Pair):
    url = f"{receiver(vpair)}/FR/XXX/S1"
    r = await put_session(vpair, factories.session(cc="FR", pid="XXX"), "FR", "XXX")
    assert r.status_code == 404
    r = await patch_session(vpair, {"kwh": 1, "last_updated": "2026-02-01T00:00:00Z"}, "/FR/XXX/S1")
    assert r.status_code == 404
    r = await vpair.emsp.client.get(url, headers=vpair.emsp_headers())
    assert r.status_code == 404
    assert await stored(vpair.emsp, "S1", "FR", "XXX") is None
    assert await event_kinds(vpair.emsp) == []


async def test_receiver_get_of_unknown_session_is_404(vpair: Pair):
    r = await vpair.emsp.client.get(f"{receiver(vpair)}/NL/CPO/NOPE", headers=vpair.emsp_headers())
    assert r.status_code == 404


# ---- Local writes -------------------------------------------------------------------------


async def test_save_local_queues_a_put_for_the_tokens_emsp_only(pair: Pair):
    await save(pair.cpo)
    await save(pair.cpo, sid="FOREIGN", token=OTHER_EMSP)
    rows = await outbox_rows(pair.cpo)
    assert [(r.module, r.method, r.path) for r in rows] == [("sessions", "PUT", "/NL/CPO/S1")]
    assert (rows[0].to_country_code, rows[0].to_party_id) == ("DE", "MSP")
    assert orjson.loads(rows[0].body)["id"] == "S1"
    assert await stored(pair.cpo, "FOREIGN") is not None


async def test_patch_local_appends_periods_and_queues_the_patch(pair: Pair):
    await save(pair.cpo, charging_periods=[factories.charging_period()])
    key = ObjectKey("sessions", "nl", "cpo", "s1")
    patch = SessionPatch.model_validate(
        {
            "kwh": 3,
            "charging_periods": [factories.charging_period(start="2026-01-01T10:30:00Z")],
            "last_updated": "2026-01-01T10:30:00Z",
        }
    )
    result = await service.patch_local(pair.cpo.db, key, patch)
    assert result is not None and result.outcome == "updated"
    session = await stored(pair.cpo, "S1")
    assert session is not None and len(session["charging_periods"]) == 2
    rows = await outbox_rows(pair.cpo)
    assert [(r.method, r.path) for r in rows] == [("PUT", "/NL/CPO/S1"), ("PATCH", "/NL/CPO/S1")]
    sent = orjson.loads(rows[1].body)
    assert set(sent) == {"kwh", "charging_periods", "last_updated"}
    assert len(sent["charging_periods"]) == 1
    older = SessionPatch.model_validate({"kwh": 9, "last_updated": "2026-01-01T09:00:00Z"})
    assert await service.patch_local(pair.cpo.db, key, older) is None
    assert len(await outbox_rows(pair.cpo)) == 2


async def test_patch_local_of_an_unknown_session_raises(pair: Pair):
    from ocpikit.errors import NotFound

    patch = SessionPatch.model_validate({"kwh": 1, "last_updated": "2026-01-01T00:00:00Z"})
    with pytest.raises(NotFound):
        await service.patch_local(pair.cpo.db, ObjectKey("sessions", "NL", "CPO", "X"), patch)


async def test_pushed_session_flows_to_the_emsp_receiver(pair: Pair):
    """The queued PUT, delivered as the outbox worker would, is stored by the eMSP.

    2.2.1 only: the outbox holds the domain (2.2.1) form; the worker renders it for a 2.1.1
    peer at delivery (``tests/e2e/test_v211_flow.py``).
    """
    await save(pair.cpo)
    [row] = await outbox_rows(pair.cpo)
    r = await pair.emsp.client.request(
        row.method,
        f"{receiver(pair)}{row.path}",
        content=row.body,
        headers={**pair.emsp_headers(), "Content-Type": "application/json"},
    )
    # 201, or 200 when the node's own push worker delivered the same PUT first.
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000
    assert await stored(pair.emsp, "S1") == await stored(pair.cpo, "S1")
