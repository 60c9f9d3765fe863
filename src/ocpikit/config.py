"""Runtime settings: one pydantic-settings object, built only by the CLI or ``create_app``.

Environment variables use the prefix ``OCPIKIT_`` (``OCPIKIT_DATABASE_URL``...). What
describes the node itself (its base URL and local parties) lives in the database, written by
``ocpikit init``, so that every ``serve`` worker on one PostgreSQL agrees on it.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    peer_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to wait for a peer's answer during calls."
    )
    admin_token: str | None = Field(
        default=None, description="Bearer token of the operator API; unset disables it."
    )
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL pool size per process.")
    push_worker: bool = Field(
        default=True,
        description="Run the outbox push worker inside `serve` (else `ocpikit worker`).",
    )
    push_concurrency: int = Field(default=32, ge=1, description="Pushes in flight at once.")
    push_max_attempts: int = Field(default=12, ge=1, description="Attempts before DEAD.")
    push_base_delay: float = Field(default=1.0, gt=0, description="First retry delay, seconds.")
