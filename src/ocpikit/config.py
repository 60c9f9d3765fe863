"""Runtime settings: one pydantic-settings object, built only by the CLI or ``create_app``.

Environment variables use the prefix ``OCPIKIT_`` (``OCPIKIT_DATABASE_URL``...). What
describes the node itself (its base URL and local parties) lives in the database, written by
``ocpikit init``, so that every ``serve`` worker on one PostgreSQL agrees on it.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ocpikit.versions import SUPPORTED_VERSIONS

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Process settings of an ocpikit node."""

    model_config = SettingsConfigDict(env_prefix="OCPIKIT_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///ocpikit.db",
        description="sqlite:///path.db or postgresql://user@host:port/dbname",
    )
    page_limit_max: int = Field(
        default=1000, ge=1, description="Server cap on `limit` of list endpoints (X-Limit)."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes (HTTP 413 beyond, checked while "
        "the body arrives).",
    )
    peer_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds to wait for a peer's answer during calls: the whole answer (a "
        "total deadline per call, however slowly the peer sends it), not each read.",
    )
    admin_token: str | None = Field(
        default=None, description="Bearer token of the operator API; unset disables it."
    )
    webhook_url: str | None = Field(
        default=None, description="POST every new event (the /api/events feed) to this URL."
    )
    webhook_secret: str | None = Field(
        default=None, description="Signs webhook requests: X-Ocpikit-Signature (HMAC-SHA256)."
    )
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL pool size per process.")
    push_worker: bool = Field(
        default=True,
        description="Run the outbox push worker inside `serve` (else `ocpikit worker`).",
    )
    sync_interval: float = Field(
        default=21600,
        ge=0,
        description="Seconds between pulls of each peer's Sender modules inside `serve` (0: off).",
    )
    push_concurrency: int = Field(
        default=32, ge=1, description="Pushes in flight at once, per peer (each peer has its own)."
    )
    push_max_attempts: int = Field(default=12, ge=1, description="Attempts before DEAD.")
    push_base_delay: float = Field(default=1.0, gt=0, description="First retry delay, seconds.")
    push_peer_max_delay: float = Field(
        default=60.0,
        gt=0,
        description="Longest pause, in seconds, of pushes to a peer that keeps failing "
        "(unless its Retry-After asks for more).",
    )
    push_retention_days: float = Field(
        default=7.0,
        ge=0,
        description="Days delivered outbox messages are kept (0: for ever); DEAD ones stay.",
    )
    push_lock_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Seconds before a dead worker's claimed message goes to another worker.",
    )
    versions: list[str] = Field(
        default_factory=lambda: list(SUPPORTED_VERSIONS),
        description='OCPI versions offered to peers (JSON list: ["2.2.1", "2.1.1"]); '
        "registration picks the highest one both sides speak.",
    )

    @field_validator("versions")
    @classmethod
    def _known_versions(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in SUPPORTED_VERSIONS]
        if unknown or not value:
            raise ValueError(
                f"versions must be some of {', '.join(SUPPORTED_VERSIONS)}; got {value}"
            )
        return value

    # Commands and ChargingProfiles (CPO side): where requests go, and how long they may take.
    command_timeout: int = Field(
        default=30,
        ge=1,
        description="Seconds announced as `timeout` in CommandResponse/ChargingProfileResponse; "
        "the result reaches the response_url within it (TIMEOUT when the charge point is slow).",
    )
    simulator: bool = Field(
        default=False,
        description="Send commands and charging profiles to built-in simulated charge points "
        "(`serve --simulator` sets OCPIKIT_SIMULATOR=1).",
    )
    adapter: str | None = Field(
        default=None,
        description="A Python charge point adapter, 'module:callable' called with the Node.",
    )
    adapter_webhook_url: str | None = Field(
        default=None,
        description="POST every command / charging profile request as JSON to this URL; "
        "the response carries the result (see ocpikit.chargepoints.webhook).",
    )
    simulator_period_seconds: float = Field(
        default=60.0, gt=0, description="Simulator: seconds between charging period reports."
    )
    simulator_power_kw: float = Field(
        default=11.0, gt=0, description="Simulator: charging power of a simulated EV, in kW."
    )
    simulator_rejected_tokens: list[str] = Field(
        default_factory=list,
        description='Simulator: token uids the charge points reject (JSON list: ["BAD1"]).',
    )
    simulator_currency: str = Field(
        default="EUR", description="Simulator: session currency when no tariff gives one."
    )
