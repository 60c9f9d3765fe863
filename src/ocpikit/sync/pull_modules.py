"""What pull sync needs to know of each module it pulls: keys, audience, and the new truth.

For every pullable module (a Sender list of client-owned objects): how an object is keyed in
the object store (``ObjectKey``, the same keys the Receiver interfaces use), who else may
read it (``audience``), whether it is published, and what a *full* pull does to stored
objects the peer no longer lists (TF-55, "the new truth"):

- ``locations``: never deleted (``mod_locations``: a location is removed by setting its EVSEs
  to ``REMOVED``). Every EVSE of a location missing from a full pull gets status
  ``REMOVED``; its ``last_updated`` is kept, so the CPO listing it again replaces it.
- ``tariffs``: deleted (TAR-01: the eMSP *replaces* its list with the received one).
- ``tokens``: never deleted (TOK-01: invalidated instead): set ``valid: false``.
- ``sessions``, ``cdrs``: left alone. They are history (CDRs are final, financial records),
  and a Sender may list only a recent window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocpikit.storage.objects import ObjectKey

__all__ = ["PULLABLE", "PullSpec", "spec"]


def _key(module: str, raw: dict[str, Any]) -> ObjectKey:
    return ObjectKey(module, raw["country_code"], raw["party_id"], raw["id"])


def _token_key(module: str, raw: dict[str, Any]) -> ObjectKey:
    return ObjectKey(module, raw["country_code"], raw["party_id"], raw["uid"], raw["type"])


def _cdr_token_audience(raw: dict[str, Any]) -> tuple[str, str] | None:
    token = raw.get("cdr_token") or {}
    cc, pid = token.get("country_code"), token.get("party_id")
    return (cc, pid) if cc and pid else None


def _no_audience(_raw: dict[str, Any]) -> tuple[str, str] | None:
    return None


def _remove_evses(data: dict[str, Any]) -> dict[str, Any] | None:
    evses = data.get("evses") or []
    if all(e.get("status") == "REMOVED" for e in evses):
        return None
    for evse in evses:
        evse["status"] = "REMOVED"
    return data


def _invalidate_token(data: dict[str, Any]) -> dict[str, Any] | None:
    if data.get("valid") is False:
        return None
    data["valid"] = False
    return data


@dataclass(frozen=True, slots=True)
class PullSpec:
    """How one module's pulled objects are stored.

    Attributes:
        module: the ModuleID.
        singular: the event noun (``location`` -> ``location.created``).
        key: the store key of a (validated) object in wire form.
        audience: the other party allowed to read it (a Session's or CDR's eMSP).
        gone: for a full pull, what becomes of a stored object the peer no longer lists:
            ``"keep"``, ``"delete"``, or ``"mark"`` with :attr:`mark` changing its data
            (returning None when it already is marked).
    """

    module: str
    singular: str
    key: Callable[[str, dict[str, Any]], ObjectKey] = _key
    audience: Callable[[dict[str, Any]], tuple[str, str] | None] = _no_audience
    gone: str = "keep"
    mark: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
    gone_event: str = ""

    def object_key(self, raw: dict[str, Any]) -> ObjectKey:
        return self.key(self.module, raw)

    def published(self, raw: dict[str, Any]) -> bool:
        return raw.get("publish", True) is not False


PULLABLE: dict[str, PullSpec] = {
    s.module: s
    for s in (
        PullSpec(
            "locations", "location", gone="mark", mark=_remove_evses, gone_event="location.removed"
        ),
        PullSpec("tariffs", "tariff", gone="delete", gone_event="tariff.deleted"),
        PullSpec(
            "tokens",
            "token",
            key=_token_key,
            gone="mark",
            mark=_invalidate_token,
            gone_event="token.invalidated",
        ),
        PullSpec("sessions", "session", audience=_cdr_token_audience),
        PullSpec("cdrs", "cdr", audience=_cdr_token_audience),
    )
}


def spec(module: str) -> PullSpec:
    """The pull rules of ``module``.

    Raises:
        KeyError: for a module that is not pulled (commands, credentials...).
    """
    return PULLABLE[module]
