"""Pulling the other modules: tariffs and sessions/CDRs (eMSP side), tokens (CPO side)."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from ocpikit.client.ocpi import OcpiClient
from ocpikit.modules.cdrs import service as cdrs
from ocpikit.modules.sessions import service as sessions
from ocpikit.modules.tariffs import service as tariffs
from ocpikit.modules.tokens import service as tokens
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.sessions import Session
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.protocol.v221.tokens import Token
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import PartyRepository, PeerRepository
from ocpikit.storage.schema import objects
from ocpikit.sync.pull import pull
from tests import factories
from tests.support import Pair, RunningNode


async def client_of(node: RunningNode) -> OcpiClient:
    async with node.db.connect() as conn:
        [peer] = await PeerRepository(conn).list()
        parties = await PartyRepository(conn).list()
    return OcpiClient(peer, parties)


async def test_cpo_pulls_tokens_keyed_by_uid_and_type_and_full_pull_invalidates(pair: Pair):
    for uid, kind in (("T1", "RFID"), ("T1", "APP_USER"), ("T2", "RFID")):
        await tokens.save_local(pair.emsp.db, Token.model_validate(factories.token(uid, type=kind)))
    async with await client_of(pair.cpo) as client:
        report = await pull(pair.cpo.db, client.peer, "tokens", False, client)
        assert (report.new, report.skipped) == (3, 0)
        async with pair.emsp.db.transaction() as conn:
            await ObjectStore(conn).delete(ObjectKey("tokens", "DE", "MSP", "T2", "RFID"))
        again = await pull(pair.cpo.db, client.peer, "tokens", True, client)
    assert (again.unchanged, again.removed) == (2, 1)
    async with pair.cpo.db.connect() as conn:
        store = ObjectStore(conn)
        app_user = await store.get(ObjectKey("tokens", "DE", "MSP", "T1", "APP_USER"))
        gone = await store.get(ObjectKey("tokens", "DE", "MSP", "T2", "RFID"))
    assert app_user is not None and not app_user.is_local
    assert gone is not None and gone.parsed()["valid"] is False


async def test_emsp_pulls_tariffs_and_a_full_pull_deletes_the_ones_gone(pair: Pair):
    for tid in ("T1", "T2"):
        await tariffs.save_local(pair.cpo.db, Tariff.model_validate(factories.tariff(tid)))
    async with await client_of(pair.emsp) as client:
        assert (await pull(pair.emsp.db, client.peer, "tariffs", True, client)).new == 2
        async with pair.cpo.db.transaction() as conn:
            await ObjectStore(conn).delete(ObjectKey("tariffs", "NL", "CPO", "T2"))
        report = await pull(pair.emsp.db, client.peer, "tariffs", True, client)
    assert (report.unchanged, report.removed) == (1, 1)
    async with pair.emsp.db.connect() as conn:
        assert await ObjectStore(conn).get(ObjectKey("tariffs", "NL", "CPO", "T2")) is None


async def test_emsp_pulls_sessions_and_cdrs_with_the_token_party_as_audience(pair: Pair):
    await sessions.save_local(pair.cpo.db, Session.model_validate(factories.session("S1")))
    await cdrs.save_local(pair.cpo.db, CDR.model_validate(factories.cdr("C1")))
    async with await client_of(pair.emsp) as client:
        s = await pull(pair.emsp.db, client.peer, "sessions", False, client)
        c = await pull(pair.emsp.db, client.peer, "cdrs", False, client)
    assert (s.new, c.new) == (1, 1)
    async with pair.emsp.db.connect() as conn:
        rows = list(
            await conn.execute(
                select(objects.c.module, objects.c.audience_country_code, objects.c.data).where(
                    objects.c.module.in_(["sessions", "cdrs"])
                )
            )
        )
    assert {(r[0], r[1]) for r in rows} == {("sessions", "DE"), ("cdrs", "DE")}
    assert {orjson.loads(r[2])["id"] for r in rows} == {"S1", "C1"}
    # A pulled CDR is price-checked like a pushed one.
    async with pair.emsp.db.connect() as conn:
        kinds = [e.kind for e in await EventLog(conn).after(0, limit=1000)]
    assert sum(k.startswith("cdr.price_") for k in kinds) == 1
