"""Operator API: the local parties this node speaks for (like ``ocpikit init --party``).

OCPI routes are mounted at startup from the parties' roles, so a party of a role the node
did not have yet is stored at once but its modules are served only after a restart.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ocpikit.operator.auth import Operator
from ocpikit.operator.helpers import local_parties
from ocpikit.protocol.v221.common import BusinessDetails, Role
from ocpikit.storage.repositories import LocalParty, PartyRepository
from ocpikit.types import PartyName

__all__ = ["router"]

router = APIRouter(tags=["parties"])


class PartyIn(BaseModel):
    """A party (role) of this node: ``CC:PARTY_ID:ROLE[:NAME]`` on the command line."""

    country_code: str = Field(
        pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 country code.", examples=["NL"]
    )
    party_id: str = Field(
        pattern=r"^[A-Za-z0-9]{3}$",
        description="ISO 15118 party id (3 characters).",
        examples=["TNM"],
    )
    role: Role
    name: PartyName = Field(
        description="business_details.name: printable text (no control characters), 1-100.",
        examples=["The New Motion"],
    )
    business_details: BusinessDetails | None = Field(
        default=None, description="Sent to peers in the credentials; default {name}."
    )


class PartyOut(BaseModel):
    country_code: str
    party_id: str
    role: str
    name: str
    business_details: dict[str, object]


class PartyWritten(BaseModel):
    party: PartyOut
    changed: bool = Field(description="False when the party was already declared as sent.")
    restart_required: bool = Field(
        description="True when the role is new to this node: its modules are mounted at "
        "startup, so restart every `ocpikit serve` process to serve them."
    )
    message: str


def _out(party: LocalParty) -> PartyOut:
    return PartyOut(
        country_code=party.country_code,
        party_id=party.party_id,
        role=party.role,
        name=party.name,
        business_details=party.business_details,
    )


@router.get("/parties", summary="The local parties of this node")
async def list_parties(node: Operator) -> list[PartyOut]:
    return [_out(p) for p in await local_parties(node.db)]


@router.post(
    "/parties",
    summary="Declare (or rename) a local party",
    responses={201: {"description": "The party was created"}},
)
async def declare_party(
    body: PartyIn, node: Operator, request: Request, response: Response
) -> PartyWritten:
    cc, pid, role = body.country_code.upper(), body.party_id.upper(), body.role.value
    details = body.business_details.to_wire() if body.business_details else {"name": body.name}
    # The roles whose modules were mounted at startup (node.parties changes below).
    state = request.app.state
    if not hasattr(state, "operator_mounted_roles"):
        state.operator_mounted_roles = frozenset(node.roles())
    served_roles: frozenset[str] = state.operator_mounted_roles
    async with node.db.transaction() as conn:
        repo = PartyRepository(conn)
        existed = any(
            (p.country_code, p.party_id, p.role) == (cc, pid, role) for p in await repo.list()
        )
        changed = await repo.upsert(cc, pid, role, body.name, details)
        parties = await repo.list()
    node.parties = parties
    party = next(p for p in parties if (p.country_code, p.party_id, p.role) == (cc, pid, role))
    restart = role not in served_roles
    if restart:
        message = (
            f"{role} {cc}:{pid} is stored; restart the node (every `ocpikit serve` process) to "
            f"serve the {role} modules, then update each peer (POST /api/peers/{{id}}/update) "
            "so that it learns the new role"
        )
    elif changed:
        message = (
            f"{role} {cc}:{pid} is stored; update each peer (POST /api/peers/{{id}}/update) so "
            "that it learns of it"
        )
    else:
        message = f"{role} {cc}:{pid} was already declared as sent"
    if not existed:
        response.status_code = 201
    return PartyWritten(
        party=_out(party), changed=changed, restart_required=restart, message=message
    )
