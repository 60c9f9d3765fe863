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

SENDER = "/ocpi/2.2.1/sender/sessions"
RECEIVER = "/ocpi/2.2.1/receiver/sessions"
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


# ---- Sender -------------------------------------------------------------------------------


async def test_version_details_list_sessions_by_role(pair: Pair):
    r = await pair.cpo.client.get("/ocpi/2.2.1", headers=pair.cpo.auth(pair.to_cpo))
    assert {
        "identifier": "sessions",
        "role": "SENDER",
        "url": f"{pair.cpo.url}{SENDER}",
    } in r.json()["data"]["endpoints"]
    r = await pair.emsp.client.get("/ocpi/2.2.1", headers=pair.emsp.auth(pair.to_emsp))
    assert {
        "identifier": "sessions",
        "role": "RECEIVER",
        "url": f"{pair.emsp.url}{RECEIVER}",
    } in r.json()["data"]["endpoints"]


async def test_sender_list_requires_date_from(pair: Pair):
    await seed(pair.cpo, 1)
    r = await pair.cpo.client.get(SENDER, headers=pair.cpo_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001
    assert "date_from" in r.json()["status_message"]


async def test_sender_pages_follow_links_to_every_session(pair: Pair):
    await seed(pair.cpo, 5)
    url, seen = f"{SENDER}?{FROM}&limit=2", []
    while url:
        r = await pair.cpo.client.get(url, headers=pair.cpo_headers())
        assert r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "5"
        assert r.headers["X-Limit"] == "2"
        seen += [s["id"] for s in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
        assert not url or "date_from=" in url
    assert seen == [f"S{i:03d}" for i in range(5)]


async def test_sender_date_filters_are_inclusive_from_and_exclusive_to(pair: Pair):
    await seed(pair.cpo, 5)  # last_updated 2026-01-01 .. 2026-01-05
    r = await pair.cpo.client.get(
        f"{SENDER}?date_from=2026-01-02T00:00:00Z&date_to=2026-01-04T00:00:00Z",
        headers=pair.cpo_headers(),
    )
    assert [s["id"] for s in r.json()["data"]] == ["S001", "S002"]
    assert r.headers["X-Total-Count"] == "2"


async def test_sender_lists_only_sessions_of_the_callers_tokens(pair: Pair):
    await seed(pair.cpo, 2)
    await save(pair.cpo, sid="FOREIGN", token=OTHER_EMSP)
    r = await pair.cpo.client.get(f"{SENDER}?{FROM}", headers=pair.cpo_headers())
    assert [s["id"] for s in r.json()["data"]] == ["S000", "S001"]
    assert r.headers["X-Total-Count"] == "2"


async def test_charging_preferences_accepted_are_stored_with_an_event(pair: Pair):
    await capable_location(pair.cpo)
    await save(pair.cpo)
    body = {"profile_type": "FAST", "departure_time": "2099-01-01T18:00:00Z", "energy_need": 20}
    r = await pair.cpo.client.put(
        f"{SENDER}/s1/charging_preferences", json=body, headers=pair.cpo_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 1000
    assert r.json()["data"] == "ACCEPTED"
    prefs = await preferences.get_preferences(pair.cpo.db, ObjectKey("sessions", "NL", "CPO", "S1"))
    assert prefs is not None and prefs.profile_type == "FAST" and prefs.energy_need == 20
    assert "session.charging_preferences" in await event_kinds(pair.cpo)
    # The preferences are not a session: the list is unchanged.
    r = await pair.cpo.client.get(f"{SENDER}?{FROM}", headers=pair.cpo_headers())
    assert [s["id"] for s in r.json()["data"]] == ["S1"]


async def test_charging_preferences_of_unknown_or_foreign_session_is_404(pair: Pair):
    await capable_location(pair.cpo)
    await save(pair.cpo, sid="FOREIGN", token=OTHER_EMSP)
    for sid in ("NOPE", "FOREIGN"):
        r = await pair.cpo.client.put(
            f"{SENDER}/{sid}/charging_preferences",
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
        f"{SENDER}/S1/charging_preferences",
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
        f"{SENDER}/S1/charging_preferences", json=body, headers=pair.cpo_headers()
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
        f"{SENDER}/S1/charging_preferences", json=body, headers=pair.cpo_headers()
    )
    assert r.json()["status_code"] == 2001
    assert field in r.json()["status_message"]


# ---- Receiver -----------------------------------------------------------------------------


async def test_receiver_put_creates_then_replaces_and_get_reads_it(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/S1"
    r = await pair.emsp.client.put(url, json=factories.session(), headers=pair.emsp_headers())
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    assert "data" not in r.json()
    new = factories.session(kwh=3.5, last_updated="2026-01-01T11:00:00Z")
    r = await pair.emsp.client.put(url, json=new, headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    r = await pair.emsp.client.get(f"{RECEIVER}/nl/cpo/s1", headers=pair.emsp_headers())
    assert r.json()["data"]["kwh"] == 3.5
    assert await event_kinds(pair.emsp) == ["session.created", "session.updated"]


async def test_receiver_put_replaces_charging_periods_and_removes_them_when_omitted(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/S1"
    first = factories.session(
        charging_periods=[
            factories.charging_period(),
            factories.charging_period(start="2026-01-01T10:30:00Z"),
        ]
    )
    await pair.emsp.client.put(url, json=first, headers=pair.emsp_headers())
    replaced = factories.session(
        last_updated="2026-01-01T11:00:00Z",
        charging_periods=[factories.charging_period(start="2026-01-01T10:45:00Z", kwh=2)],
    )
    await pair.emsp.client.put(url, json=replaced, headers=pair.emsp_headers())
    session = await stored(pair.emsp, "S1")
    assert session is not None
    assert [p["start_date_time"] for p in session["charging_periods"]] == ["2026-01-01T10:45:00Z"]
    await pair.emsp.client.put(
        url,
        json=factories.session(last_updated="2026-01-01T12:00:00Z"),
        headers=pair.emsp_headers(),
    )
    session = await stored(pair.emsp, "S1")
    assert session is not None and "charging_periods" not in session


async def test_receiver_patch_appends_charging_periods(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/S1"
    first = factories.session(charging_periods=[factories.charging_period()])
    await pair.emsp.client.put(url, json=first, headers=pair.emsp_headers())
    patch = {
        "kwh": 3,
        "charging_periods": [factories.charging_period(start="2026-01-01T10:30:00Z", kwh=1.5)],
        "total_cost": {"excl_vat": 0.8, "incl_vat": 0.88},
        "last_updated": "2026-01-01T10:30:00Z",
    }
    r = await pair.emsp.client.patch(url, json=patch, headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    # A retried delivery of the same PATCH does not add the period twice.
    await pair.emsp.client.patch(url, json=patch, headers=pair.emsp_headers())
    # An empty list leaves the periods as they are.
    await pair.emsp.client.patch(
        url,
        json={
            "status": "COMPLETED",
            "charging_periods": [],
            "last_updated": "2026-01-01T11:00:00Z",
        },
        headers=pair.emsp_headers(),
    )
    session = await stored(pair.emsp, "S1")
    assert session is not None
    assert [p["start_date_time"] for p in session["charging_periods"]] == [
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:30:00Z",
    ]
    assert session["kwh"] == 3 and session["total_cost"] == {"excl_vat": 0.8, "incl_vat": 0.88}
    assert session["status"] == "COMPLETED"
    assert session["cdr_token"]["uid"] == "TOKEN1"  # untouched fields stay
    assert session["last_updated"] == "2026-01-01T11:00:00Z"


async def test_older_put_and_patch_are_accepted_but_ignored(pair: Pair):
    url = f"{RECEIVER}/NL/CPO/S1"
    await pair.emsp.client.put(
        url,
        json=factories.session(kwh=5, last_updated="2026-01-01T12:00:00Z"),
        headers=pair.emsp_headers(),
    )
    r = await pair.emsp.client.put(url, json=factories.session(kwh=1), headers=pair.emsp_headers())
    assert r.json()["status_code"] == 1000
    r = await pair.emsp.client.patch(
        url,
        json={"status": "INVALID", "last_updated": "2026-01-01T11:00:00Z"},
        headers=pair.emsp_headers(),
    )
    assert r.json()["status_code"] == 1000
    session = await stored(pair.emsp, "S1")
    assert session is not None and session["kwh"] == 5 and session["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "COMPLETED"}, "last_updated"),
        ({"id": "OTHER", "last_updated": "2026-02-01T00:00:00Z"}, "id"),
        ({"party_id": "XYZ", "last_updated": "2026-02-01T00:00:00Z"}, "party_id"),
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
    ],
)
async def test_bad_patch_is_2001_naming_the_field_and_stores_nothing(
    pair: Pair, body: dict, field: str
):
    url = f"{RECEIVER}/NL/CPO/S1"
    await pair.emsp.client.put(url, json=factories.session(), headers=pair.emsp_headers())
    before = await stored(pair.emsp, "S1")
    r = await pair.emsp.client.patch(url, json=body, headers=pair.emsp_headers())
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(pair.emsp, "S1") == before


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda s: s.pop("cdr_token"), "cdr_token"),
        (lambda s: s.pop("last_updated"), "last_updated"),
        (lambda s: s.update(id="OTHER"), "id"),
        (lambda s: s.update(country_code="BE"), "country_code"),
        (lambda s: s.update(status="RESERVED"), "status"),
        (lambda s: s.update(auth_method="CARD"), "auth_method"),
        (lambda s: s.update(location_id="L" * 37), "location_id"),
        (lambda s: s["cdr_token"].update(type="PHONE"), "cdr_token.type"),
        (lambda s: s["cdr_token"].pop("uid"), "cdr_token.uid"),
    ],
)
async def test_bad_put_is_2001_naming_the_field_and_stores_nothing(pair: Pair, mutate, field: str):
    session = factories.session()
    mutate(session)
    r = await pair.emsp.client.put(
        f"{RECEIVER}/NL/CPO/S1", json=session, headers=pair.emsp_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(pair.emsp, "S1") is None
    assert await event_kinds(pair.emsp) == []


async def test_patch_of_an_unknown_session_is_404(pair: Pair):
    r = await pair.emsp.client.patch(
        f"{RECEIVER}/NL/CPO/NOPE",
        json={"status": "COMPLETED", "last_updated": "2026-01-01T00:00:00Z"},
        headers=pair.emsp_headers(),
    )
    assert r.status_code == 404
    assert await stored(pair.emsp, "NOPE") is None


async def test_peer_cannot_write_or_read_under_another_party(pair: Pair):
    session = factories.session(cc="FR", pid="XXX")
    url = f"{RECEIVER}/FR/XXX/S1"
    r = await pair.emsp.client.put(url, json=session, headers=pair.emsp_headers())
    assert r.status_code == 404
    r = await pair.emsp.client.patch(
        url, json={"kwh": 1, "last_updated": "2026-02-01T00:00:00Z"}, headers=pair.emsp_headers()
    )
    assert r.status_code == 404
    r = await pair.emsp.client.get(url, headers=pair.emsp_headers())
    assert r.status_code == 404
    assert await stored(pair.emsp, "S1", "FR", "XXX") is None
    assert await event_kinds(pair.emsp) == []


async def test_receiver_get_of_unknown_session_is_404(pair: Pair):
    r = await pair.emsp.client.get(f"{RECEIVER}/NL/CPO/NOPE", headers=pair.emsp_headers())
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
    """The queued PUT, delivered as the outbox worker would, is stored by the eMSP."""
    await save(pair.cpo)
    [row] = await outbox_rows(pair.cpo)
    r = await pair.emsp.client.request(
        row.method,
        f"{RECEIVER}{row.path}",
        content=row.body,
        headers={**pair.emsp_headers(), "Content-Type": "application/json"},
    )
    # 201, or 200 when the node's own push worker delivered the same PUT first.
    assert r.status_code in (200, 201) and r.json()["status_code"] == 1000
    assert await stored(pair.emsp, "S1") == await stored(pair.cpo, "S1")
