"""The pricing engine: price a CDR or Session (its charging periods) with one Tariff.

Steps, each in its own module:

1. :mod:`~ocpikit.tariffs.restrictions`: the tariff is compiled once (cached per object).
2. :mod:`~ocpikit.tariffs.segments`: periods are split where a restriction may switch.
3. Here: per segment and per dimension, the first matching element's component (TC-10).
4. :mod:`~ocpikit.tariffs.stepsize`: step_size, once per session per group.
5. Here: amounts per line (``price`` x billed quantity; incl. VAT x (1 + vat/100)), totals,
   then min_price / max_price on the total.

Session rules (decisions are marked; see ``docs/tariffs.md``):

- Quantities come from the periods' volumes (TIME, PARKING_TIME, ENERGY, RESERVATION_TIME);
  timestamps position them in time for the restrictions.
- FLAT (decision TC-19): each distinct FLAT PriceComponent is charged once per session, in the
  first segment where it is active. Session FLAT components are looked up in segments that are
  not reservation-only, so an expired reservation pays no start fee.
- Reservations (TC-14): segments with RESERVATION_TIME are priced with the reservation
  elements only (TIME for the reservation time, FLAT once), other dimensions with the other
  elements only. When the reservation expired, RESERVATION_EXPIRES elements come first.
  ``min_duration``/``max_duration`` count from the first period that is not reservation-only.
- The tariff given is used for the whole session (decision TC-04: the tariff valid at session
  start stays valid; ``ChargingPeriod.tariff_id`` is not used to switch tariffs).
- min_price / max_price (decision TC-32): ``total_cost.excl_vat`` is clamped to
  ``min_price.excl_vat`` then ``max_price.excl_vat``; ``incl_vat`` likewise to the bounds'
  ``incl_vat`` when given. When min_price has no ``incl_vat`` and raised ``excl_vat``, ``incl_vat``
  is raised to at least ``excl_vat``. Only ``total_cost`` is clamped (TC-34).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from ocpikit.tariffs.model import ChargingPeriod, PricingInput, Tariff
from ocpikit.tariffs.model import TariffDimension as Dim
from ocpikit.tariffs.restrictions import Candidate, CompiledTariff, compile_tariff
from ocpikit.tariffs.result import (
    Cost,
    DimensionCost,
    LazyPeriods,
    PeriodResult,
    PriceResult,
)
from ocpikit.tariffs.segments import (
    CURRENT,
    END,
    ENERGY,
    KWH_BEFORE,
    LOCAL,
    PARKING,
    PERIOD,
    POWER,
    RESERVATION,
    START,
    TIME,
    Segment,
    build_segments,
    to_us,
)
from ocpikit.tariffs.stepsize import step_extra

__all__ = ["price"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_US = 1_000_000
_DAY_US = 86_400 * _US
_US_PER_H = Decimal(3_600 * _US)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()

# Enum member lookups are slow-ish in the hot loop: bind them once.
_D_ENERGY, _D_TIME, _D_PARKING, _D_FLAT = Dim.ENERGY, Dim.TIME, Dim.PARKING_TIME, Dim.FLAT

# A line: (segment index, dimension, is reservation, quantity, candidate or None).
_Line = tuple[int, Dim, bool, Decimal, Candidate | None]
# The last billed line of a step_size group: (line index, candidate).
_Last = tuple[int, Candidate] | None


class _Pricer:
    """Looks up the active components of each segment and accumulates billed quantities.

    Quantities are summed per candidate (``billed``) and priced once per candidate at the end:
    ``price x sum(q)`` equals ``sum(price x q)`` in exact decimal arithmetic, and is much
    cheaper. The per-line breakdown is rebuilt on demand from ``lines`` and ``extras``.
    """

    __slots__ = (
        "billed",
        "ct",
        "extras",
        "last_energy",
        "last_resv",
        "last_timed",
        "lines",
        "mode",
        "resolve",
        "session_start",
    )

    def __init__(self, ct: CompiledTariff, session_start: int, expired: bool) -> None:
        self.ct = ct
        self.session_start = session_start
        self.mode = 2 if expired else 1
        self.resolve = ct.resolve
        self.lines: list[_Line] = []
        self.billed: dict[int, Decimal] = {}
        self.extras: dict[int, Decimal] = {}
        self.last_energy: _Last = None
        self.last_timed: _Last = None
        self.last_resv: _Last = None

    def _bill(self, i: int, dim: Dim, resv: bool, qty: Decimal, cand: Candidate | None) -> _Last:
        lines = self.lines
        lines.append((i, dim, resv, qty, cand))
        if cand is None:
            return None
        billed = self.billed
        uid = cand.uid
        billed[uid] = billed.get(uid, _ZERO) + qty
        return len(lines) - 1, cand

    def _flat(self, i: int, cand: Candidate | None, resv: bool) -> None:
        # TC-19 (decision): each distinct FLAT component once per session.
        if cand is not None and cand.uid not in self.billed:
            self._bill(i, _D_FLAT, resv, _ONE, cand)

    def segment(self, i: int, seg: Segment) -> None:
        local = seg[LOCAL]
        day = local // _DAY_US + _EPOCH_ORDINAL
        sod = (local % _DAY_US) // _US
        duration = seg[START] - self.session_start
        energy, charging, parking, reserved = seg[ENERGY], seg[TIME], seg[PARKING], seg[RESERVATION]
        if reserved:
            self._reservation(i, seg, sod, day, duration)
            if not (energy or charging or parking):
                return
        c_energy, c_time, c_parking, c_flat = self.resolve(
            0, sod, day, seg[KWH_BEFORE], duration, seg[POWER], seg[CURRENT]
        )
        lines = self.lines
        billed = self.billed
        # Inlined _bill() for the three metered dimensions: this is the hot loop.
        if energy:
            lines.append((i, _D_ENERGY, False, energy, c_energy))
            if c_energy is not None:
                billed[c_energy.uid] = billed.get(c_energy.uid, _ZERO) + energy
                self.last_energy = (len(lines) - 1, c_energy)
        if charging:
            lines.append((i, _D_TIME, False, charging, c_time))
            if c_time is not None:
                billed[c_time.uid] = billed.get(c_time.uid, _ZERO) + charging
                self.last_timed = (len(lines) - 1, c_time)
        if parking:
            lines.append((i, _D_PARKING, False, parking, c_parking))
            if c_parking is not None:
                billed[c_parking.uid] = billed.get(c_parking.uid, _ZERO) + parking
                self.last_timed = (len(lines) - 1, c_parking)
        if c_flat is not None and c_flat.uid not in billed:
            self._bill(i, _D_FLAT, False, _ONE, c_flat)

    def _reservation(self, i: int, seg: Segment, sod: int, day: int, duration: int) -> None:
        _, c_time, _, c_flat = self.ct.resolve(
            self.mode, sod, day, seg[KWH_BEFORE], duration, seg[POWER], seg[CURRENT]
        )
        if last := self._bill(i, _D_TIME, True, seg[RESERVATION], c_time):
            self.last_resv = last
        self._flat(i, c_flat, True)

    def apply_step_size(self) -> None:
        """Round each group's billed total once, billing the extra on its last line.

        See :mod:`ocpikit.tariffs.stepsize` for the rules quoted from the spec.
        """
        billed = self.billed
        groups = self.ct.step_groups
        for last in (self.last_energy, self.last_timed, self.last_resv):
            if last is None:
                continue
            line_index, cand = last
            total = _ZERO
            for uid in groups[cand.category]:
                q = billed.get(uid)
                if q is not None:
                    total += q
            extra = step_extra(total, cand.component)
            if extra:
                billed[cand.uid] += extra
                self.extras[line_index] = extra


def _fixed_offset(tz: tzinfo) -> int | None:
    if tz is UTC:
        return 0
    if isinstance(tz, timezone):
        off = tz.utcoffset(None)
        return off // timedelta(microseconds=1)
    if isinstance(tz, ZoneInfo) and tz.key in ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Zulu"):
        return 0
    return None


def _end_us(usage: PricingInput, periods: tuple[ChargingPeriod, ...], last_start: int) -> int:
    if usage.end_date_time is not None:
        return max(to_us(usage.end_date_time), last_start)
    last = periods[-1]
    hours = max(last.time + last.parking_time + last.reservation_time, _ZERO)
    return last_start + int(hours * _US_PER_H)


def _is_expired(usage: PricingInput, override: bool | None) -> bool:
    if override is not None:
        return override
    if usage.reservation_expired is not None:
        return usage.reservation_expired
    periods = usage.charging_periods
    return bool(periods) and all(p.reservation_only for p in periods)


def _clamp(excl: Decimal, incl: Decimal, tariff: Tariff) -> tuple[Cost, bool, bool]:
    lo, hi = tariff.min_price, tariff.max_price
    min_applied = max_applied = False
    if lo is not None:
        if excl < lo.excl_vat:
            excl, min_applied = lo.excl_vat, True
        if lo.incl_vat is not None and incl < lo.incl_vat:
            incl, min_applied = lo.incl_vat, True
        elif min_applied and incl < excl:
            incl = excl  # no incl_vat bound: never leave incl_vat below the raised excl_vat
    if hi is not None:
        if excl > hi.excl_vat:
            excl, max_applied = hi.excl_vat, True
        if hi.incl_vat is not None and incl > hi.incl_vat:
            incl, max_applied = hi.incl_vat, True
    return Cost(excl, incl), min_applied, max_applied


def _as_datetime(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _line_cost(qty: Decimal, cand: Candidate | None) -> Cost:
    if cand is None:
        return Cost(_ZERO, _ZERO)
    excl = cand.component.price * qty
    return Cost(excl, excl if cand.vat_factor is None else excl * cand.vat_factor)


def _periods(
    segments: list[Segment],
    pricer: _Pricer,
    periods: tuple[ChargingPeriod, ...],
) -> tuple[PeriodResult, ...]:
    per_seg: list[list[DimensionCost]] = [[] for _ in segments]
    for n, (i, dim, resv, qty, cand) in enumerate(pricer.lines):
        billed = qty + pricer.extras.get(n, _ZERO)
        per_seg[i].append(
            DimensionCost(
                dim,
                resv,
                qty,
                billed,
                None if cand is None else cand.component,
                None if cand is None else cand.element_index,
                _line_cost(billed, cand),
            )
        )
    out = []
    for seg, seg_lines in zip(segments, per_seg, strict=True):
        p = periods[seg[PERIOD]]
        start = seg[START]
        out.append(
            PeriodResult(
                seg[PERIOD],
                p.start_date_time if to_us(p.start_date_time) == start else _as_datetime(start),
                _as_datetime(seg[END]),
                seg[ENERGY],
                seg[TIME],
                seg[PARKING],
                seg[RESERVATION],
                tuple(seg_lines),
            )
        )
    return tuple(out)


def price(
    tariff: Tariff,
    usage: PricingInput,
    tz: tzinfo = UTC,
    *,
    reservation_expired: bool | None = None,
) -> PriceResult:
    """Price ``usage`` (a parsed CDR or Session) with ``tariff``, restrictions evaluated in ``tz``.

    Args:
        tariff: the tariff, e.g. from :func:`ocpikit.tariffs.parse_tariff`.
        usage: the charging periods and session times, e.g. from
            :func:`ocpikit.tariffs.parse_cdr` or :func:`ocpikit.tariffs.parse_session`.
        tz: the Location's time zone (``ZoneInfo``); times of day, dates and weekdays of the
            restrictions are local to it.
        reservation_expired: overrides :attr:`PricingInput.reservation_expired` (``None``:
            inferred, see there).

    Returns:
        The totals and the breakdown per segment.
    """
    ct = compile_tariff(tariff)
    periods = usage.charging_periods or (ChargingPeriod(usage.start_date_time),)
    bounds = [to_us(p.start_date_time) for p in periods]
    bounds.append(_end_us(usage, periods, bounds[-1]))
    session_start = bounds[0]
    if periods[0].reservation_only:
        session_start = next(
            (b for p, b in zip(periods, bounds, strict=False) if not p.reservation_only),
            to_us(usage.start_date_time),
        )
    expired = _is_expired(usage, reservation_expired)
    segments = build_segments(ct, periods, bounds, session_start, tz, _fixed_offset(tz))
    pricer = _Pricer(ct, session_start, expired)
    for i, seg in enumerate(segments):
        pricer.segment(i, seg)
    pricer.apply_step_size()
    return _assemble(tariff, periods, bounds[-1] - session_start, segments, pricer, expired)


def _assemble(
    tariff: Tariff,
    periods: tuple[ChargingPeriod, ...],
    duration_us: int,
    segments: list[Segment],
    pricer: _Pricer,
    expired: bool,
) -> PriceResult:
    # [excl, incl] per category: fixed, energy, time, parking, reservation
    sums = [[_ZERO, _ZERO] for _ in range(5)]
    vat_omitted = False
    cands = pricer.ct.candidates
    for uid, qty in pricer.billed.items():
        cand = cands[uid]
        excl = cand.component.price * qty
        factor = cand.vat_factor
        if factor is None:
            incl = excl
            vat_omitted = vat_omitted or bool(excl)
        else:
            incl = excl * factor
        acc = sums[cand.category]
        acc[0] += excl
        acc[1] += incl
    total, min_applied, max_applied = _clamp(
        sums[0][0] + sums[1][0] + sums[2][0] + sums[3][0] + sums[4][0],
        sums[0][1] + sums[1][1] + sums[2][1] + sums[3][1] + sums[4][1],
        tariff,
    )
    energy = charging = parking = reserved = _ZERO
    for p in periods:
        energy += p.energy
        charging += p.time
        parking += p.parking_time
        reserved += p.reservation_time
    # Positional (field order of PriceResult): keyword arguments cost ~1 us per result.
    return PriceResult(
        tariff.currency,
        total,
        Cost(*sums[0]),  # fixed
        Cost(*sums[1]),  # energy
        Cost(*sums[2]),  # time
        Cost(*sums[3]),  # parking
        Cost(*sums[4]),  # reservation
        min_applied,
        max_applied,
        energy,
        Decimal(max(duration_us, 0)) / _US_PER_H,  # total_time
        charging,
        parking,
        reserved,
        expired,
        vat_omitted,
        LazyPeriods(lambda: _periods(segments, pricer, periods)),
    )
