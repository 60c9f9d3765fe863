"""The ``commands`` table: every asynchronous request we received or sent, and its outcome.

Commands and ChargingProfiles requests share one life cycle (``mod_commands.asciidoc §Flow``,
``mod_charging_profiles.asciidoc §Flow``): a request, a synchronous response, then maybe an
asynchronous result POSTed to the request's ``response_url``. One row per request keeps all
three, so the operator sees what happened and the callbacks find the request they answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.storage.schema import commands

__all__ = ["CommandLog", "CommandRecord", "new_uid"]

PENDING, DONE, CLOSED, FAILED, TIMEOUT = "PENDING", "DONE", "CLOSED", "FAILED", "TIMEOUT"


def new_uid() -> str:
    """A fresh request id: 32 hex characters, usable as a URL segment and a CiString(36)."""
    return uuid.uuid4().hex


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return orjson.dumps(value).decode()


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """One stored request (see the ``commands`` table in ``storage/schema.py``).

    Attributes:
        direction: ``IN`` (received: we are the CPO) or ``OUT`` (sent by us).
        module: ``commands`` or ``chargingprofiles``.
        command: the CommandType, or ``ACTIVE_PROFILE``/``SET_PROFILE``/``CLEAR_PROFILE``.
        status: ``PENDING`` (a result is expected), ``DONE``, ``CLOSED`` (the response was
            not ACCEPTED: no result follows), ``FAILED`` (a call failed) or ``TIMEOUT``.
        body: the request as sent on the wire (with ``response_url``).
        response: the synchronous CommandResponse / ChargingProfileResponse.
        result: the asynchronous result (CommandResult...), once known.
    """

    id: int
    uid: str
    direction: str
    module: str
    command: str
    peer_id: int | None
    local_party: tuple[str, str] | None
    peer_party: tuple[str, str] | None
    object_id: str | None
    evse_uid: str | None
    token_uid: str | None
    response_url: str | None
    body: dict[str, Any]
    response: dict[str, Any] | None
    result: dict[str, Any] | None
    status: str
    last_error: str | None
    created_at: datetime
    responded_at: datetime | None
    timeout_at: datetime | None
    result_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view for the operator (CLI, API)."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "uid": self.uid,
            "direction": self.direction,
            "module": self.module,
            "command": self.command,
            "peer_id": self.peer_id,
            "object_id": self.object_id,
            "status": self.status,
            "response_url": self.response_url,
            "body": self.body,
            "response": self.response,
            "result": self.result,
            "last_error": self.last_error,
            "created_at": iso(self.created_at),
            "responded_at": iso(self.responded_at),
            "timeout_at": iso(self.timeout_at),
            "result_at": iso(self.result_at),
        }


def _party(cc: str | None, pid: str | None) -> tuple[str, str] | None:
    return (cc, pid) if cc and pid else None


def _record(row: Row[Any]) -> CommandRecord:
    created = row.created_at
    assert created is not None
    return CommandRecord(
        id=row.id,
        uid=row.uid,
        direction=row.direction,
        module=row.module,
        command=row.command,
        peer_id=row.peer_id,
        local_party=_party(row.local_country_code, row.local_party_id),
        peer_party=_party(row.peer_country_code, row.peer_party_id),
        object_id=row.object_id,
        evse_uid=row.evse_uid,
        token_uid=row.token_uid,
        response_url=row.response_url,
        body=orjson.loads(row.body),
        response=orjson.loads(row.response) if row.response else None,
        result=orjson.loads(row.result) if row.result else None,
        status=row.status,
        last_error=row.last_error,
        created_at=created,
        responded_at=row.responded_at,
        timeout_at=row.timeout_at,
        result_at=row.result_at,
    )


class CommandLog:
    """Repository of the ``commands`` table on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(
        self,
        *,
        uid: str,
        direction: str,
        module: str,
        command: str,
        body: Any,
        status: str,
        peer_id: int | None,
        local_party: tuple[str, str] | None = None,
        peer_party: tuple[str, str] | None = None,
        object_id: str | None = None,
        evse_uid: str | None = None,
        token_uid: str | None = None,
        response_url: str | None = None,
        response: Any = None,
        timeout: int | None = None,
    ) -> int:
        now = datetime.now(UTC)
        result = await self.conn.execute(
            insert(commands)
            .values(
                uid=uid,
                direction=direction,
                module=module,
                command=command,
                peer_id=peer_id,
                local_country_code=local_party[0].upper() if local_party else None,
                local_party_id=local_party[1].upper() if local_party else None,
                peer_country_code=peer_party[0].upper() if peer_party else None,
                peer_party_id=peer_party[1].upper() if peer_party else None,
                object_id=object_id.upper() if object_id else None,
                evse_uid=evse_uid.upper() if evse_uid else None,
                token_uid=token_uid.upper() if token_uid else None,
                response_url=response_url,
                body=_json(body) or "{}",
                response=_json(response),
                status=status,
                created_at=now,
                responded_at=now if response is not None else None,
                timeout_at=now + timedelta(seconds=timeout) if timeout is not None else None,
            )
            .returning(commands.c.id)
        )
        return int(result.scalar_one())

    async def get(self, uid: str) -> CommandRecord | None:
        row = (await self.conn.execute(select(commands).where(commands.c.uid == uid))).first()
        return _record(row) if row is not None else None

    async def recent(
        self, *, direction: str | None = None, module: str | None = None, limit: int = 100
    ) -> list[CommandRecord]:
        """The newest requests first."""
        query = select(commands).order_by(commands.c.id.desc()).limit(limit)
        if direction is not None:
            query = query.where(commands.c.direction == direction)
        if module is not None:
            query = query.where(commands.c.module == module)
        return [_record(r) for r in await self.conn.execute(query)]

    async def find(
        self, *, direction: str, module: str, command: str, object_id: str
    ) -> list[CommandRecord]:
        """Requests about one object (a session id...), oldest first."""
        query = (
            select(commands)
            .where(
                commands.c.direction == direction,
                commands.c.module == module,
                commands.c.command == command,
                commands.c.object_id == object_id.upper(),
            )
            .order_by(commands.c.id)
        )
        return [_record(r) for r in await self.conn.execute(query)]

    async def set_response(
        self, uid: str, response: Any, *, status: str, timeout: int | None = None
    ) -> None:
        """Store the synchronous response; a result that already arrived keeps its status."""
        now = datetime.now(UTC)
        values: dict[str, Any] = {"response": _json(response), "responded_at": now}
        if timeout is not None:
            values["timeout_at"] = now + timedelta(seconds=timeout)
        await self.conn.execute(update(commands).where(commands.c.uid == uid).values(**values))
        await self.conn.execute(
            update(commands)
            .where(commands.c.uid == uid, commands.c.status == PENDING)
            .values(status=status)
        )

    async def set_result(
        self, uid: str, result: Any, *, status: str = DONE, error: str | None = None
    ) -> None:
        await self.conn.execute(
            update(commands)
            .where(commands.c.uid == uid)
            .values(
                result=_json(result),
                result_at=datetime.now(UTC),
                status=status,
                last_error=error,
            )
        )

    async def fail(self, uid: str, error: str) -> None:
        await self.conn.execute(
            update(commands).where(commands.c.uid == uid).values(status=FAILED, last_error=error)
        )

    async def orphans(self, before: datetime) -> list[CommandRecord]:
        """Received requests still PENDING whose timeout passed before ``before``."""
        query = (
            select(commands)
            .where(
                commands.c.direction == "IN",
                commands.c.status == PENDING,
                commands.c.timeout_at < before,
            )
            .order_by(commands.c.id)
            .limit(500)
        )
        return [_record(r) for r in await self.conn.execute(query)]

    async def claim_orphan(self, uid: str, error: str) -> bool:
        """Take an orphaned request for answering; False when it is no longer PENDING."""
        result = await self.conn.execute(
            update(commands)
            .where(commands.c.uid == uid, commands.c.status == PENDING)
            .values(status=FAILED, last_error=error)
        )
        return int(result.rowcount) == 1

    async def recent_token_commands(
        self, token_uid: str, *, since: datetime, location_id: str | None = None
    ) -> list[CommandRecord]:
        """Accepted START_SESSION / RESERVE_NOW we received for a token since ``since``.

        Newest first, with their bodies (the token): what CMD-06 looks at.
        """
        query = (
            select(commands)
            .where(
                commands.c.direction == "IN",
                commands.c.command.in_(("START_SESSION", "RESERVE_NOW")),
                commands.c.token_uid == token_uid.upper(),
                commands.c.status.in_((PENDING, DONE, FAILED, TIMEOUT)),
                commands.c.created_at >= since,
            )
            .order_by(commands.c.id.desc())
        )
        if location_id is not None:
            query = query.where(commands.c.object_id == location_id.upper())
        return [_record(r) for r in await self.conn.execute(query)]
