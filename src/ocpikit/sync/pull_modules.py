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

from ocpikit import catalog
from ocpikit.storage.objects import ObjectKey

__all__ = ["PULLABLE", "PullSpec", "spec"]


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
    """What a *full* pull does to stored objects of one module the peer no longer lists.

    The rest of what pull needs to know of a module (its key, its audience, its event noun)
    is the module's description in :data:`ocpikit.catalog.MODULES`.

    Attributes:
        module: the ModuleID.
        gone: ``"keep"``, ``"delete"``, or ``"mark"`` with :attr:`mark` changing its data
            (returning None when it already is marked).
    """

    module: str
    gone: str = "keep"
    mark: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
    gone_event: str = ""

    @property
    def singular(self) -> str:
        return catalog.module(self.module).singular

    def object_key(self, raw: dict[str, Any]) -> ObjectKey:
        """The store key of a (validated) object in domain form."""
        values = [raw[name] for name in catalog.module(self.module).key]
        return ObjectKey(self.module, *values)

    def audience(self, raw: dict[str, Any]) -> tuple[str, str] | None:
        """The other party allowed to read it (a Session's or CDR's eMSP)."""
        field = catalog.module(self.module).audience
        holder = (raw.get(field) or {}) if field else {}
        cc, pid = holder.get("country_code"), holder.get("party_id")
        return (cc, pid) if cc and pid else None

    def published(self, raw: dict[str, Any]) -> bool:
        return raw.get("publish", True) is not False


_GONE = {
    "locations": PullSpec(
        "locations", gone="mark", mark=_remove_evses, gone_event="location.removed"
    ),
    "tariffs": PullSpec("tariffs", gone="delete", gone_event="tariff.deleted"),
    "tokens": PullSpec(
        "tokens", gone="mark", mark=_invalidate_token, gone_event="token.invalidated"
    ),
}

PULLABLE: dict[str, PullSpec] = {
    m.id: _GONE.get(m.id, PullSpec(m.id)) for m in catalog.MODULES.values() if m.pulled
}


def spec(module: str) -> PullSpec:
    """The pull rules of ``module``.

    Raises:
        KeyError: for a module that is not pulled (commands, credentials...).
    """
    return PULLABLE[module]
