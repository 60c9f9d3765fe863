"""Tolerant reading of objects in a peer's list (TF-57: use the valid ones, log the others).

Peers send objects that break the odd rule. :func:`check` validates one listed object with
its wire model and sorts it into one of three outcomes:

- **valid**: as the spec says;
- **repaired**: a part we can live without was invalid (an optional field, or one element of
  a list such as an EVSE with an unknown status): that part is dropped, the violation is
  reported, and the rest of the object is used;
- **unusable**: its identity (``country_code``, ``party_id``, ``id``, ``last_updated``...) or
  a required part is missing or invalid, or it is not a JSON object at all: it is skipped.

Repairing works on what pydantic reports: the invalid value is removed; when that leaves a
required field missing, the object or list element holding it is removed instead, up to
the top level (where the object becomes unusable).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

__all__ = ["Checked", "check"]

M = TypeVar("M", bound=BaseModel)

_MAX_REPAIRS = 50


@dataclass(frozen=True, slots=True)
class Checked(Generic[M]):
    """One listed object and what validation made of it.

    Attributes:
        raw: the object as the peer sent it.
        model: the validated (possibly repaired) object; None when unusable.
        violations: what was wrong and dropped (repaired), or why it is unusable.
    """

    raw: Any
    model: M | None
    violations: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return self.model is not None

    @property
    def repaired(self) -> bool:
        return self.model is not None and bool(self.violations)

    def identity(self) -> tuple[str, str, str]:
        """``(country_code, party_id, id or uid)`` as sent, upper-cased ("" when absent)."""
        return identity_of(self.raw)


def identity_of(raw: Any) -> tuple[str, str, str]:
    if not isinstance(raw, dict):
        return "", "", ""
    ident = raw.get("id", raw.get("uid", ""))
    return (
        str(raw.get("country_code", "")).upper(),
        str(raw.get("party_id", "")).upper(),
        str(ident).upper(),
    )


def _dotted(loc: Sequence[Any]) -> str:
    return ".".join(str(p) for p in loc) or "(object)"


def _remove(data: Any, loc: Sequence[Any]) -> bool:
    """Remove the value at ``loc``; False when the path does not lead to a value."""
    node = data
    for part in loc[:-1]:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    last = loc[-1]
    if isinstance(node, dict) and isinstance(last, str) and last in node:
        del node[last]
        return True
    if isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        del node[last]
        return True
    return False


def check(model: type[M], raw: Any, *, identity: Collection[str] = ()) -> Checked[M]:
    """Validate one listed object, repairing what can be dropped.

    Args:
        model: the wire model of the module.
        raw: the object as received.
        identity: top-level fields that must be valid as sent (never dropped).
    """
    if not isinstance(raw, dict):
        return Checked(raw, None, (f"not a JSON object: {type(raw).__name__}",))
    try:
        return Checked(raw, model.model_validate(raw))
    except ValidationError as exc:
        first_error = exc
    data = orjson.loads(orjson.dumps(raw))
    violations: list[str] = []
    error = first_error
    for _ in range(_MAX_REPAIRS):
        problem = error.errors()[0]
        loc = tuple(problem["loc"])
        what = f"{_dotted(loc)}: {problem['msg']}"
        if not loc or loc[0] in identity:
            return Checked(raw, None, (*violations, what))
        target = loc[:-1] if problem["type"] == "missing" else loc
        if not target:
            return Checked(raw, None, (*violations, what))
        if not _remove(data, target):
            return Checked(raw, None, (*violations, what))
        violations.append(f"{what} (dropped {_dotted(target)})")
        try:
            return Checked(raw, model.model_validate(data), tuple(violations))
        except ValidationError as exc:
            error = exc
    return Checked(raw, None, (*violations, "too many invalid parts"))
