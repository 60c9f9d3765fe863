"""When and how long to wait before calling a peer again.

A call is retried, a bounded number of times with exponential backoff and full jitter, when
trying again can help:

- the request never reached the peer (connection refused, DNS, connect or pool timeout):
  every method;
- the peer is overloaded or failing (HTTP 5xx, timeout while reading): idempotent methods
  only (GET, PUT, PATCH, DELETE); a POST may have been executed (a command, a CDR);
- HTTP 429: every method (the peer refused the request before doing anything), waiting at
  the ``Retry-After`` seconds it asked for (giving up when that exceeds
  :attr:`RetryPolicy.max_delay`).

Any other 4xx is the caller's fault and is never retried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["IDEMPOTENT", "RetryPolicy", "retry_after_seconds"]

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or an HTTP date), if any."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter.

    Attributes:
        attempts: total tries of one call (1 = no retry).
        base_delay: the first backoff, in seconds; doubled on each further attempt.
        max_delay: the longest wait between two tries, ``Retry-After`` included.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based), jittered."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)

    def delay_for_status(self, response: httpx.Response, method: str, attempt: int) -> float | None:
        """Seconds to wait before trying again after ``response``, or None to stop."""
        if attempt >= self.attempts:
            return None
        status = response.status_code
        if status == 429:
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            if asked is None:
                return self.backoff(attempt)
            # Retrying sooner than asked would be refused again: give up instead.
            return asked if asked <= self.max_delay else None
        if status >= 500 and method.upper() in IDEMPOTENT:
            return self.backoff(attempt)
        return None

    def delay_for_error(self, exc: httpx.HTTPError, method: str, attempt: int) -> float | None:
        """Seconds to wait before trying again after a transport error, or None to stop."""
        if attempt >= self.attempts:
            return None
        never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if never_sent or (isinstance(exc, httpx.TransportError) and method.upper() in IDEMPOTENT):
            return self.backoff(attempt)
        return None
