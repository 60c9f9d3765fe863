"""TariffRestrictions evaluation and the per-tariff precomputed lookup structures.

Semantics (``mod_tariffs.asciidoc`` §TariffRestrictions class; checklist TC-13, TC-14), all
evaluated at one instant, in the Location's local time for times of day and dates:

- ``start_time`` inclusive, ``end_time`` exclusive; ``end_time < start_time`` wraps over
  midnight; ``end_time`` "00:00" means end of day; only one of them set: open on the other side;
  both equal: the whole day.
- ``start_date`` inclusive, ``end_date`` exclusive (local dates); ``day_of_week``: local weekday.
- ``min_kwh`` inclusive, ``max_kwh`` exclusive, on the energy used in the session so far.
- ``min_current`` / ``min_power``: active while value >= limit; ``max_current`` / ``max_power``:
  active while value < limit; an unknown value does not match.
- ``min_duration`` inclusive, ``max_duration`` exclusive, on the time since the session start.
- ``reservation``: the element prices reservations only (see :mod:`ocpikit.tariffs.engine`).

Restrictions are ANDed. Elements are looked up separately per dimension: the first element in
list order that has a component of that dimension and whose restrictions match (TC-10). When an
element has two components of one dimension, the first is used (decision for TC-16).
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from ocpikit.tariffs.model import (
    PriceComponent,
    ReservationRestriction,
    Tariff,
    TariffDimension,
    TariffElement,
    TariffRestrictions,
)

__all__ = [
    "Candidate",
    "CompiledRestriction",
    "CompiledTariff",
    "Resolved",
    "compile_tariff",
]

_US = 1_000_000
_HUNDRED = Decimal(100)
_ONE = Decimal(1)


def _sod(value: object) -> int | None:
    if value is None:
        return None
    return value.hour * 3600 + value.minute * 60  # type: ignore[attr-defined, no-any-return]


class CompiledRestriction:
    """One element's restrictions, flattened to plain comparable values."""

    __slots__ = (
        "days",
        "end_ord",
        "end_sod",
        "max_current",
        "max_dur",
        "max_kwh",
        "max_power",
        "min_current",
        "min_dur",
        "min_kwh",
        "min_power",
        "needs_local",
        "needs_usage",
        "start_ord",
        "start_sod",
    )

    def __init__(self, r: TariffRestrictions) -> None:
        self.start_sod = _sod(r.start_time)
        self.end_sod = _sod(r.end_time)
        self.days = frozenset(d.weekday() for d in r.day_of_week) or None
        self.start_ord = None if r.start_date is None else r.start_date.toordinal()
        self.end_ord = None if r.end_date is None else r.end_date.toordinal()
        self.min_kwh = r.min_kwh
        self.max_kwh = r.max_kwh
        self.min_current = r.min_current
        self.max_current = r.max_current
        self.min_power = r.min_power
        self.max_power = r.max_power
        self.min_dur = None if r.min_duration is None else r.min_duration * _US
        self.max_dur = None if r.max_duration is None else r.max_duration * _US
        self.needs_local = not (
            self.start_sod is None
            and self.end_sod is None
            and self.days is None
            and self.start_ord is None
            and self.end_ord is None
        )
        self.needs_usage = any(
            v is not None
            for v in (
                r.min_kwh,
                r.max_kwh,
                r.min_current,
                r.max_current,
                r.min_power,
                r.max_power,
                r.min_duration,
                r.max_duration,
            )
        )

    def local_ok(self, sod: int, weekday: int, ordinal: int) -> bool:
        """Check the time-of-day, date and weekday restrictions at one local instant."""
        days = self.days
        if days is not None and weekday not in days:
            return False
        s = self.start_ord
        if s is not None and ordinal < s:
            return False
        e = self.end_ord
        if e is not None and ordinal >= e:
            return False
        s = self.start_sod
        e = self.end_sod
        if s is None:
            return e is None or sod < e
        if e is None or s == e:
            return e is not None or sod >= s
        if s < e:
            return s <= sod < e
        return sod >= s or sod < e

    def usage_ok(
        self, kwh: Decimal, duration_us: int, power: Decimal | None, current: Decimal | None
    ) -> bool:
        """Check the energy, duration, power and current restrictions."""
        v = self.min_kwh
        if v is not None and kwh < v:
            return False
        v = self.max_kwh
        if v is not None and kwh >= v:
            return False
        d = self.min_dur
        if d is not None and duration_us < d:
            return False
        d = self.max_dur
        if d is not None and duration_us >= d:
            return False
        return self._electric_ok(power, current)

    def _electric_ok(self, power: Decimal | None, current: Decimal | None) -> bool:
        lo, hi = self.min_power, self.max_power
        if lo is not None or hi is not None:
            if power is None or (lo is not None and power < lo):
                return False
            if hi is not None and power >= hi:
                return False
        lo, hi = self.min_current, self.max_current
        if lo is not None or hi is not None:
            if current is None or (lo is not None and current < lo):
                return False
            if hi is not None and current >= hi:
                return False
        return True


class Candidate(NamedTuple):
    """A PriceComponent that may price a dimension, with its element and precomputed VAT factor."""

    element_index: int
    restriction: CompiledRestriction | None
    component: PriceComponent
    vat_factor: Decimal | None
    uid: int
    """Index of this candidate in :attr:`CompiledTariff.candidates`."""
    category: int
    """Cost category: 0 fixed, 1 energy, 2 time, 3 parking, 4 reservation."""


Lookup = dict[TariffDimension, tuple[Candidate, ...]]
_CATEGORY = {
    TariffDimension.FLAT: 0,
    TariffDimension.ENERGY: 1,
    TariffDimension.TIME: 2,
    TariffDimension.PARKING_TIME: 3,
}


class CompiledTariff:
    """Per-tariff structures built once: candidates per dimension and the split points.

    ``session``: candidates of elements without ``reservation``; ``reservation``: elements with
    RESERVATION; ``expired``: RESERVATION_EXPIRES elements first, then RESERVATION elements
    (an expired reservation is still a reservation; its EXPIRES components take precedence,
    ``mod_tariffs.asciidoc`` §ReservationRestrictionType enum NOTE).
    """

    __slots__ = (
        "_memo",
        "_state_marks",
        "candidates",
        "duration_marks",
        "expired",
        "kwh_marks",
        "needs_local",
        "reservation",
        "session",
        "step_groups",
        "tariff",
        "tod_marks",
        "uses_weekday",
    )

    def __init__(self, tariff: Tariff) -> None:
        self.tariff = tariff
        session: dict[TariffDimension, list[Candidate]] = {d: [] for d in TariffDimension}
        resv: dict[TariffDimension, list[Candidate]] = {d: [] for d in TariffDimension}
        expires: dict[TariffDimension, list[Candidate]] = {d: [] for d in TariffDimension}
        tod: set[int] = set()
        durations: set[int] = set()
        kwh: set[Decimal] = set()
        needs_local = False
        candidates: list[Candidate] = []
        for index, element in enumerate(tariff.elements):
            r = element.restrictions
            compiled = None
            if r is not None:
                compiled = CompiledRestriction(r)
                if not (compiled.needs_local or compiled.needs_usage):
                    compiled = None
            if compiled is not None:
                needs_local = needs_local or compiled.needs_local
                _collect_marks(compiled, tod, durations, kwh)
            kind = None if r is None else r.reservation
            target = (
                session
                if kind is None
                else resv
                if kind is ReservationRestriction.RESERVATION
                else expires
            )
            seen: set[TariffDimension] = set()
            for comp in element.price_components:
                if comp.type in seen:
                    continue  # TC-16: the first component of a dimension in an element wins
                seen.add(comp.type)
                factor = None if comp.vat is None else _ONE + comp.vat / _HUNDRED
                category = 4 if kind is not None else _CATEGORY[comp.type]
                cand = Candidate(index, compiled, comp, factor, len(candidates), category)
                candidates.append(cand)
                target[comp.type].append(cand)
        self.candidates = tuple(candidates)
        # step_size groups by cost category: the metered candidates (FLAT has no step).
        self.step_groups = {
            category: tuple(
                c.uid
                for c in candidates
                if c.category == category and c.component.type is not TariffDimension.FLAT
            )
            for category in range(5)
        }
        self.session: Lookup = {d: tuple(c) for d, c in session.items()}
        self.reservation: Lookup = {d: tuple(c) for d, c in resv.items()}
        self.expired: Lookup = {d: tuple(expires[d] + resv[d]) for d in TariffDimension}
        self.needs_local = needs_local
        self.tod_marks = tuple(sorted(m * _US for m in tod))
        self.duration_marks = tuple(sorted(durations))
        self.kwh_marks = tuple(sorted(kwh))
        restrictions = [c for c in (_compiled(e) for e in tariff.elements) if c is not None]
        self.uses_weekday = any(r.days is not None for r in restrictions)
        self._state_marks = _StateMarks(restrictions)
        self._memo: dict[tuple[object, ...], Resolved] = {}

    def resolve(
        self,
        mode: int,
        sod: int,
        day: int,
        kwh: Decimal,
        duration_us: int,
        power: Decimal | None,
        current: Decimal | None,
    ) -> Resolved:
        """The active candidates (ENERGY, TIME, PARKING_TIME, FLAT) in one state, memoised.

        ``mode``: 0 charging session, 1 reservation, 2 expired reservation. The memo key is
        the position of every input among the tariff's restriction limits, which decides every
        restriction, so equal keys give equal results.
        """
        m = self._state_marks
        key = (
            mode,
            bisect_right(m.sod, sod) if m.sod else 0,
            (day - 1) % 7 if self.uses_weekday else 0,
            bisect_right(m.days, day) if m.days else 0,
            bisect_right(m.kwh, kwh) if m.kwh else 0,
            bisect_right(m.durations, duration_us) if m.durations else 0,
            -1 if power is None else bisect_right(m.power, power) if m.power else 0,
            -1 if current is None else bisect_right(m.current, current) if m.current else 0,
        )
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) > 50_000:
                self._memo.clear()
            lookup = self.session if mode == 0 else self.reservation if mode == 1 else self.expired
            found = [_first(lookup[d], sod, day, kwh, duration_us, power, current) for d in _DIMS]
            hit = self._memo[key] = (found[0], found[1], found[2], found[3])
        return hit


_DIMS = (
    TariffDimension.ENERGY,
    TariffDimension.TIME,
    TariffDimension.PARKING_TIME,
    TariffDimension.FLAT,
)
Resolved = tuple[Candidate | None, Candidate | None, Candidate | None, Candidate | None]


def _compiled(element: TariffElement) -> CompiledRestriction | None:
    return None if element.restrictions is None else CompiledRestriction(element.restrictions)


class _StateMarks:
    """Sorted limits of every restriction kind, to locate a state with ``bisect``."""

    __slots__ = ("current", "days", "durations", "kwh", "power", "sod")

    def __init__(self, rs: list[CompiledRestriction]) -> None:
        def marks(*names: str) -> tuple[Any, ...]:
            values = {getattr(r, n) for r in rs for n in names}
            values.discard(None)
            return tuple(sorted(values))

        self.sod: tuple[int, ...] = marks("start_sod", "end_sod")
        self.days: tuple[int, ...] = marks("start_ord", "end_ord")
        self.kwh: tuple[Decimal, ...] = marks("min_kwh", "max_kwh")
        self.durations: tuple[int, ...] = marks("min_dur", "max_dur")
        self.power: tuple[Decimal, ...] = marks("min_power", "max_power")
        self.current: tuple[Decimal, ...] = marks("min_current", "max_current")


def _first(
    cands: tuple[Candidate, ...],
    sod: int,
    day: int,
    kwh: Decimal,
    duration_us: int,
    power: Decimal | None,
    current: Decimal | None,
) -> Candidate | None:
    """The first candidate whose restrictions all match (TC-10, TC-13)."""
    for cand in cands:
        r = cand.restriction
        if r is None:
            return cand
        if r.needs_local and not r.local_ok(sod, (day - 1) % 7, day):
            continue
        if r.needs_usage and not r.usage_ok(kwh, duration_us, power, current):
            continue
        return cand
    return None


def _collect_marks(
    r: CompiledRestriction, tod: set[int], durations: set[int], kwh: set[Decimal]
) -> None:
    """Record the instants where this restriction can switch on or off inside a period."""
    for sod in (r.start_sod, r.end_sod):
        if sod is not None:
            tod.add(sod)
    if r.days is not None or r.start_ord is not None or r.end_ord is not None:
        tod.add(0)  # local midnight: the weekday or date changes
    for d in (r.min_dur, r.max_dur):
        if d is not None and d > 0:
            durations.add(d)
    for k in (r.min_kwh, r.max_kwh):
        if k is not None and k > 0:
            kwh.add(k)


_CACHE: dict[int, tuple[weakref.ref[Tariff], CompiledTariff]] = {}


def _forgetter(key: int) -> Callable[[weakref.ref[Tariff]], None]:
    cache = _CACHE  # bound now: module globals may already be gone at interpreter exit

    def forget(_ref: weakref.ref[Tariff]) -> None:
        cache.pop(key, None)

    return forget


def compile_tariff(tariff: Tariff) -> CompiledTariff:
    """Return the precomputed form of ``tariff``, cached for as long as the Tariff lives."""
    key = id(tariff)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is tariff:
        return hit[1]
    compiled = CompiledTariff(tariff)
    _CACHE[key] = (weakref.ref(tariff, _forgetter(key)), compiled)
    return compiled
