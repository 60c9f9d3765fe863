"""Table definitions (SQLAlchemy Core). Alembic migrations in ``migrations/`` create them.

Design notes:

- Identifiers that are ``CiString`` in OCPI (country_code, party_id, object ids) are stored
  as sent, plus an upper-cased key column used for lookups, so that comparison is
  case-insensitive (TY-01) while what we return is what we were given.
- Tokens we issue are stored as SHA-256 hashes: we only ever need to verify them.
- Object bodies are stored as their OCPI JSON text, ready to be written to the wire.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = [
    "UtcDateTime",
    "auth_tokens",
    "events",
    "outbox",
    "objects",
    "local_parties",
    "metadata",
    "node_config",
    "peer_roles",
    "peers",
]


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always an aware UTC ``datetime`` on both sides.

    PostgreSQL keeps the zone; SQLite stores text without one and hands back naive values.
    Converting here, once, spares every reader its own "assume UTC" fix-up, and a value
    bound in another zone can no longer compare wrongly as text on SQLite.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Row ids of the tables that grow with traffic (objects, events, outbox, commands): 64-bit on
# PostgreSQL, where a busy node would pass 2**31 outbox rows within months. On SQLite a row id
# is 64-bit already, and only INTEGER PRIMARY KEY is its alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")
MAX_ID = 2**63 - 1  # the largest such id: bounds ids taken from requests (a cursor, ``after``)
MAX_PEER_ID = 2**31 - 1  # peers.id is a 32-bit INTEGER on PostgreSQL: bounds peer ids from requests

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

node_config = Table(
    "node_config",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

local_parties = Table(
    "local_parties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("role", String(8), nullable=False),
    Column("name", String(100), nullable=False),
    Column("business_details", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("country_code", "party_id", "role", name="uq_local_parties_party_role"),
)

peers = Table(
    "peers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # PENDING while we initiate a handshake, REGISTERED, UNREGISTERED.
    Column("status", String(16), nullable=False),
    Column("versions_url", String(255), nullable=False),
    Column("version", String(8), nullable=True),
    Column("version_url", String(255), nullable=True),
    # The token *we* send to the peer (its token B or C): we need it in clear.
    Column("token_out", String(64), nullable=True),
    Column("token_encoding", String(8), nullable=False, default="base64"),
    Column("endpoints", Text, nullable=False, default="[]"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The one local party a 2.1.1 peer is connected to (NULL: all of them, 2.2+).
    Column("local_country_code", String(2), nullable=True),
    Column("local_party_id", String(3), nullable=True),
)

peer_roles = Table(
    "peer_roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("peer_id", Integer, ForeignKey("peers.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(8), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("business_details", Text, nullable=False),
    # A party belongs to one platform, which may hold it in several registrations (one per
    # local party it connects to in OCPI 2.1.1): checked at registration, not by a key.
    Index("ix_peer_roles_party", "country_code", "party_id"),
    Index("ix_peer_roles_peer_id", "peer_id"),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    # A: registration token handed out of band; C: credentials token of a registered peer.
    Column("kind", String(1), nullable=False),
    Column("peer_id", Integer, ForeignKey("peers.id", ondelete="CASCADE"), nullable=True),
    Column("label", String(255), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

# Every OCPI object the node holds, its own and its peers', one row each (a Location with its
# EVSEs and Connectors is one row). ``data`` is the object's OCPI 2.2.1 JSON, served as is.
objects = Table(
    "ocpi_objects",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("module", String(24), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    # Upper-cased object id (CiString): lookups are case-insensitive.
    Column("object_id", String(64), nullable=False),
    # Second part of the key where the module has one (Token.type), else "".
    Column("object_type", String(24), nullable=False, default=""),
    # True for objects of this node's own parties; False for objects received from a peer.
    Column("is_local", Boolean, nullable=False),
    Column("peer_id", Integer, ForeignKey("peers.id"), nullable=True),
    # The other party that may read this object (a Session's or CDR's eMSP), if any.
    Column("audience_country_code", String(2), nullable=True),
    Column("audience_party_id", String(3), nullable=True),
    # Location.publish: whether drivers may be shown it (peers get every location, LOC-07).
    Column("published", Boolean, nullable=False, default=True),
    Column("last_updated", UtcDateTime(), nullable=False),
    Column("data", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint(
        "module", "country_code", "party_id", "object_id", "object_type", name="uq_ocpi_objects_key"
    ),
    # Covering indexes of the Sender lists: count and page without touching the rows.
    Index("ix_ocpi_objects_list", "module", "is_local", "published", "id"),
    Index("ix_ocpi_objects_seek", "module", "is_local", "id"),
    Index("ix_ocpi_objects_updated", "module", "is_local", "last_updated"),
    Index("ix_ocpi_objects_peer", "peer_id", "module"),
    # Lookups by id alone: Sender GET of one object, token authorization, pulled pages.
    Index("ix_ocpi_objects_object", "module", "object_id", "is_local", "id"),
)

# What happened to objects, for the operator's systems: an event feed (and webhooks) that tell
# an eMSP of received sessions, CDRs and locations, and a CPO of results and disputes.
events = Table(
    "events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(48), nullable=False),
    Column("module", String(24), nullable=False),
    Column("country_code", String(2), nullable=True),
    Column("party_id", String(3), nullable=True),
    Column("object_id", String(64), nullable=True),
    Column("peer_id", Integer, nullable=True),
    Column("data", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_events_kind", "kind", "id"),
)

# Changes to push to peers, written in the same transaction as the change itself, one row per
# target peer; the worker delivers them in order per (peer, object) and retries with backoff.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("peer_id", Integer, ForeignKey("peers.id", ondelete="CASCADE"), nullable=False),
    Column("module", String(24), nullable=False),
    # The object this message is about: messages of one object reach a peer in order.
    Column("object_ref", String(160), nullable=False),
    Column("method", String(8), nullable=False),
    # Appended to the peer's Receiver endpoint URL, e.g. "/NL/CPO/LOC1/EVSE1".
    Column("path", String(255), nullable=False),
    Column("body", Text, nullable=True),
    Column("from_country_code", String(2), nullable=False),
    Column("from_party_id", String(3), nullable=False),
    Column("to_country_code", String(2), nullable=False),
    Column("to_party_id", String(3), nullable=False),
    # PENDING, DONE, DEAD (given up; the operator can replay it).
    Column("status", String(8), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("locked_by", String(64), nullable=True),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_object", "peer_id", "object_ref", "id"),
)

# Asynchronous requests (Commands, ChargingProfiles), both directions, so the operator can see
# them: ``IN`` = received from a peer (we are the CPO: the result goes to ``response_url``),
# ``OUT`` = sent by us (we are the eMSP/SCSP: the result comes back to our callback ``uid``).
commands = Table(
    "commands",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # Our id of the request: the last segment of our callback URL for OUT requests.
    Column("uid", String(64), nullable=False, unique=True),
    Column("direction", String(3), nullable=False),
    # "commands" or "chargingprofiles".
    Column("module", String(24), nullable=False),
    # CommandType, or ACTIVE_PROFILE / SET_PROFILE / CLEAR_PROFILE.
    Column("command", String(24), nullable=False),
    Column("peer_id", Integer, ForeignKey("peers.id", ondelete="SET NULL"), nullable=True),
    # Our party and the peer's party of the exchange (OCPI-from/to).
    Column("local_country_code", String(2), nullable=True),
    Column("local_party_id", String(3), nullable=True),
    Column("peer_country_code", String(2), nullable=True),
    Column("peer_party_id", String(3), nullable=True),
    # What the request is about: location id, session id or reservation id (upper-cased).
    Column("object_id", String(64), nullable=True),
    Column("evse_uid", String(64), nullable=True),
    # Token uid of START_SESSION / RESERVE_NOW (upper-cased), for CMD-06.
    Column("token_uid", String(64), nullable=True),
    Column("response_url", String(512), nullable=True),
    Column("body", Text, nullable=False),
    Column("response", Text, nullable=True),
    Column("result", Text, nullable=True),
    # PENDING (a result is expected), DONE (result delivered/received), CLOSED (not accepted:
    # no result will follow), FAILED (a call failed), TIMEOUT.
    Column("status", String(8), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("responded_at", UtcDateTime(), nullable=True),
    Column("timeout_at", UtcDateTime(), nullable=True),
    Column("result_at", UtcDateTime(), nullable=True),
    Index("ix_commands_list", "direction", "id"),
    Index("ix_commands_token", "token_uid", "created_at"),
    Index("ix_commands_pending", "status", "direction", "timeout_at"),
)
