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

from ocpikit.tariffs.model import ChargingPeriod, PriceComponent, PricingInput, Tariff
from ocpikit.tariffs.model import TariffDimension as Dim
from ocpikit.tariffs.restrictions import Candidate, CompiledTariff, compile_tariff
from ocpikit.tariffs.result import ZERO_COST, Cost, DimensionCost, PeriodResult, PriceResult
from ocpikit.tariffs.segments import Segment, build_segments, to_us
from ocpikit.tariffs.stepsize import apply_step_size

__all__ = ["price"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_US_PER_H = Decimal(3_600_000_000)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Line:
    """A mutable priced line while the session is being priced."""

    __slots__ = ("billed", "candidate", "dimension", "priced_by", "quantity", "reservation", "seg")

    def __init__(
        self, seg: int, dimension: Dim, reservation: bool, quantity: Decimal, cand: Candidate | None
    ) -> None:
        self.seg = seg
        self.dimension = dimension
        self.reservation = reservation
        self.quantity = quantity
        self.billed = quantity
        self.candidate = cand
        self.priced_by: PriceComponent | None = None if cand is None else cand.component


def _find(cands: tuple[Candidate, ...], seg: Segment, session_start: int) -> Candidate | None:
    """The first candidate whose restrictions all match at the segment's start (TC-10, TC-13)."""
    for cand in cands:
        r = cand.restriction
        if r is None:
            return cand
        if r.needs_local and not r.local_ok(seg.sod, (seg.day - 1) % 7, seg.day):
            continue
        if r.needs_usage and not r.usage_ok(
            seg.kwh_before, seg.start - session_start, seg.power, seg.current
        ):
            continue
        return cand
    return None


class _Pricer:
    """Looks up the components of each segment and collects the lines."""

    __slots__ = ("ct", "energy", "expired", "flats", "lines", "resv", "session_start", "timed")

    def __init__(self, ct: CompiledTariff, session_start: int, expired: bool) -> None:
        self.ct = ct
        self.session_start = session_start
        self.expired = expired
        self.lines: list[_Line] = []
        self.energy: list[_Line] = []
        self.timed: list[_Line] = []
        self.resv: list[_Line] = []
        self.flats: set[int] = set()

    def _add(self, i: int, dim: Dim, resv: bool, qty: Decimal, cand: Candidate | None) -> _Line:
        line = _Line(i, dim, resv, qty, cand)
        self.lines.append(line)
        return line

    def _flat(self, i: int, seg: Segment, cands: tuple[Candidate, ...], resv: bool) -> None:
        if not cands:
            return
        first = cands[0]
        if first.restriction is None and id(first) in self.flats:
            return  # the unrestricted first FLAT always wins and was charged already
        cand = _find(cands, seg, self.session_start)
        if cand is not None and id(cand) not in self.flats:
            self.flats.add(id(cand))
            self._add(i, Dim.FLAT, resv, _ONE, cand)

    def segment(self, i: int, seg: Segment) -> None:
        session = self.ct.session
        start = self.session_start
        if seg.energy:
            line = self._add(
                i, Dim.ENERGY, False, seg.energy, _find(session[Dim.ENERGY], seg, start)
            )
            if line.candidate is not None:
                self.energy.append(line)
        if seg.time:
            line = self._add(i, Dim.TIME, False, seg.time, _find(session[Dim.TIME], seg, start))
            if line.candidate is not None:
                self.timed.append(line)
        if seg.parking:
            cand = _find(session[Dim.PARKING_TIME], seg, start)
            line = self._add(i, Dim.PARKING_TIME, False, seg.parking, cand)
            if cand is not None:
                self.timed.append(line)
        if not seg.reservation:
            self._flat(i, seg, session[Dim.FLAT], False)
            return
        if seg.energy or seg.time or seg.parking:
            self._flat(i, seg, session[Dim.FLAT], False)
        lookup = self.ct.expired if self.expired else self.ct.reservation
        line = self._add(i, Dim.TIME, True, seg.reservation, _find(lookup[Dim.TIME], seg, start))
        if line.candidate is not None:
            self.resv.append(line)
        self._flat(i, seg, lookup[Dim.FLAT], True)


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


def _reservation_only(p: ChargingPeriod) -> bool:
    return bool(p.reservation_time) and not (p.energy or p.time or p.parking_time)


def _is_expired(usage: PricingInput, override: bool | None) -> bool:
    if override is not None:
        return override
    if usage.reservation_expired is not None:
        return usage.reservation_expired
    periods = usage.charging_periods
    return bool(periods) and all(_reservation_only(p) for p in periods)


def _amount(line: _Line) -> Cost:
    cand = line.candidate
    if cand is None:
        return ZERO_COST
    excl = cand.component.price * line.billed
    factor = cand.vat_factor
    return Cost(excl, excl if factor is None else excl * factor)


def _clamp(total: Cost, tariff: Tariff) -> tuple[Cost, bool, bool]:
    excl, incl = total.excl_vat, total.incl_vat
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


def _periods(
    segments: list[Segment],
    lines: list[_Line],
    costs: list[Cost],
    periods: tuple[ChargingPeriod, ...],
) -> tuple[PeriodResult, ...]:
    per_seg: list[list[DimensionCost]] = [[] for _ in segments]
    for line, cost in zip(lines, costs, strict=True):
        cand = line.candidate
        per_seg[line.seg].append(
            DimensionCost(
                line.dimension,
                line.reservation,
                line.quantity,
                line.billed,
                None if cand is None else cand.component,
                None if cand is None else cand.element_index,
                cost,
            )
        )
    out = []
    for seg, seg_lines in zip(segments, per_seg, strict=True):
        p = periods[seg.period]
        start = (
            p.start_date_time if to_us(p.start_date_time) == seg.start else _as_datetime(seg.start)
        )
        out.append(
            PeriodResult(
                seg.period,
                start,
                _as_datetime(seg.end),
                seg.energy,
                seg.time,
                seg.parking,
                seg.reservation,
                tuple(seg_lines),
            )  # fmt: skip
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
    session_start = next(
        (b for p, b in zip(periods, bounds, strict=False) if not _reservation_only(p)),
        to_us(usage.start_date_time),
    )
    expired = _is_expired(usage, reservation_expired)
    segments = build_segments(ct, periods, bounds, session_start, tz, _fixed_offset(tz))
    pricer = _Pricer(ct, session_start, expired)
    for i, seg in enumerate(segments):
        pricer.segment(i, seg)
    apply_step_size(pricer.energy, pricer.timed, pricer.resv)
    return _assemble(tariff, usage, periods, bounds, session_start, segments, pricer, expired)


def _assemble(
    tariff: Tariff,
    usage: PricingInput,
    periods: tuple[ChargingPeriod, ...],
    bounds: list[int],
    session_start: int,
    segments: list[Segment],
    pricer: _Pricer,
    expired: bool,
) -> PriceResult:
    sums = {
        "fixed": [_ZERO, _ZERO],
        "energy": [_ZERO, _ZERO],
        "time": [_ZERO, _ZERO],
        "parking": [_ZERO, _ZERO],
        "reservation": [_ZERO, _ZERO],
    }
    category = {
        Dim.FLAT: "fixed",
        Dim.ENERGY: "energy",
        Dim.TIME: "time",
        Dim.PARKING_TIME: "parking",
    }
    costs = []
    vat_omitted = False
    for line in pricer.lines:
        cost = _amount(line)
        costs.append(cost)
        acc = sums["reservation" if line.reservation else category[line.dimension]]
        acc[0] += cost.excl_vat
        acc[1] += cost.incl_vat
        cand = line.candidate
        if cand is not None and cand.vat_factor is None and cost.excl_vat:
            vat_omitted = True
    parts = {k: Cost(v[0], v[1]) for k, v in sums.items()}
    components_total = Cost(
        sum((v[0] for v in sums.values()), _ZERO), sum((v[1] for v in sums.values()), _ZERO)
    )
    total, min_applied, max_applied = _clamp(components_total, tariff)
    return PriceResult(
        currency=tariff.currency,
        total_cost=total,
        total_fixed_cost=parts["fixed"],
        total_energy_cost=parts["energy"],
        total_time_cost=parts["time"],
        total_parking_cost=parts["parking"],
        total_reservation_cost=parts["reservation"],
        components_total=components_total,
        price_adjustment=total - components_total,
        min_price_applied=min_applied,
        max_price_applied=max_applied,
        total_energy=sum((p.energy for p in periods), _ZERO),
        total_time=Decimal(max(bounds[-1] - session_start, 0)) / _US_PER_H,
        total_charging_time=sum((p.time for p in periods), _ZERO),
        total_parking_time=sum((p.parking_time for p in periods), _ZERO),
        total_reservation_time=sum((p.reservation_time for p in periods), _ZERO),
        reservation_expired=expired,
        vat_omitted=vat_omitted,
        periods=_periods(segments, pricer.lines, costs, periods),
    )
