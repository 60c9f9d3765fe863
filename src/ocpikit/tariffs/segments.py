"""Split charging periods into segments inside which no restriction changes state.

A CPO SHALL start a new ChargingPeriod whenever another Price Component becomes active
(``mod_cdrs.asciidoc`` §CDR Object "ChargingPeriod:", CDR-20), but received CDRs and Sessions do
not always do so, and :func:`ocpikit.tariffs.estimate` synthesises one long period. So the engine
splits each period at every instant inside it where a restriction of the tariff may switch:

- local times of day named by ``start_time`` / ``end_time``, and local midnight when a
  ``day_of_week`` / ``start_date`` / ``end_date`` restriction exists (DST-aware: the local
  wall-clock instant is converted with ``zoneinfo``; a time that does not exist on a
  spring-forward day maps to the instant ``zoneinfo`` gives for it, fold=0);
- session start + ``min_duration`` / ``max_duration``;
- the instant the session's energy reaches ``min_kwh`` / ``max_kwh``.

Volumes are interpolated linearly inside a period (constant rate): a part covering a fraction
``f`` of the period's wall-clock length gets ``f`` of each volume; a kWh boundary is placed at the
fraction of the period's energy where it is reached, and the other volumes follow the same
fraction. The last part gets the remainder, so parts always sum exactly to the period's volumes.
A period whose volumes are not consistent with its wall-clock length (the volumes are
authoritative for quantities; the timestamps only position the period) is split the same way.
Power and current are instantaneous values and are copied to every part.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Final

from ocpikit.tariffs.model import ChargingPeriod
from ocpikit.tariffs.restrictions import CompiledTariff

__all__ = [
    "CURRENT",
    "END",
    "ENERGY",
    "KWH_BEFORE",
    "LOCAL",
    "PARKING",
    "PERIOD",
    "POWER",
    "RESERVATION",
    "START",
    "TIME",
    "Segment",
    "build_segments",
    "to_us",
]

_US = 1_000_000
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_ONE_US = timedelta(microseconds=1)
_ZERO = Decimal(0)
_SLOW_PATH_SPAN = 20 * _DAY_US
_WEEK_US = 7 * _DAY_US
_ONE = Decimal(1)


def to_us(moment: datetime) -> int:
    """Return ``moment`` as integer microseconds since the Unix epoch (exact)."""
    return (moment - _EPOCH) // _ONE_US


# A segment is a plain tuple (fast to build in the hot loop); these name its fields:
# (period index, start us, end us, energy kWh, time h, parking h, reservation h,
#  session kWh before the segment, power kW, current A, local wall-clock us of the start).
PERIOD: Final = 0
START: Final = 1
END: Final = 2
ENERGY: Final = 3
TIME: Final = 4
PARKING: Final = 5
RESERVATION: Final = 6
KWH_BEFORE: Final = 7
POWER: Final = 8
CURRENT: Final = 9
LOCAL: Final = 10
Segment = tuple[
    int, int, int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal | None, Decimal | None, int
]

_OFFSETS: dict[tuple[tzinfo, int], int | None] = {}
_HOUR_US = 3600 * _US


def _exact_offset_us(moment_us: int, tz: tzinfo) -> int:
    moment = (_EPOCH + timedelta(microseconds=moment_us)).astimezone(tz)
    off = moment.utcoffset()
    return 0 if off is None else off // _ONE_US


def _offset_us(moment_us: int, tz: tzinfo) -> int:
    """UTC offset of ``tz`` at an instant, cached per hour when the hour has a single offset."""
    hour = moment_us // _HOUR_US
    key = (tz, hour)
    cached = _OFFSETS.get(key, -1)
    if cached is None:
        return _exact_offset_us(moment_us, tz)
    if cached != -1:
        return cached
    first = _exact_offset_us(hour * _HOUR_US, tz)
    last = _exact_offset_us((hour + 1) * _HOUR_US - 1, tz)
    if len(_OFFSETS) > 100_000:
        _OFFSETS.clear()
    _OFFSETS[key] = first if first == last else None
    return first if first == last else _exact_offset_us(moment_us, tz)


def _tod_cuts(ct: CompiledTariff, t0: int, t1: int, off0: int, off1: int, tz: tzinfo) -> list[int]:
    """Instants in (t0, t1) where the local time of day hits one of the tariff's marks."""
    cuts: list[int] = []
    marks = ct.tod_marks
    n0, n1 = t0 + off0, t1 + off1
    if off0 == off1 and t1 - t0 < _SLOW_PATH_SPAN:
        first_day, last_day = n0 // _DAY_US, (n1 - 1) // _DAY_US
        if first_day == last_day:  # the common case: the period lies within one local day
            base = first_day * _DAY_US
            lo, hi = bisect_right(marks, n0 - base), bisect_left(marks, n1 - base)
            return [base + m - off0 for m in marks[lo:hi]] if lo < hi else cuts
        for day in range(first_day, last_day + 1):
            base = day * _DAY_US
            for m in marks:
                local = base + m
                if n0 < local < n1:
                    cuts.append(local - off0)
        return cuts
    # The UTC offset changes inside the period (DST): convert each local mark with zoneinfo.
    first = datetime.fromordinal(n0 // _DAY_US + _EPOCH_ORDINAL - 1)
    for d in range((n1 - n0) // _DAY_US + 3):
        midnight = first + timedelta(days=d)
        for m in marks:
            u = to_us((midnight + timedelta(microseconds=m)).replace(tzinfo=tz))
            if t0 < u < t1:
                cuts.append(u)
    return sorted(set(cuts))


def _session_instants(
    ct: CompiledTariff, first: int, last: int, session_start: int, offset: int
) -> list[int]:
    """Sorted instants in (first, last) where a time-of-day, date or duration limit lies.

    Computed once per session when a single UTC ``offset`` holds for all of it.
    """
    instants = [session_start + d for d in ct.duration_marks if first < session_start + d < last]
    marks = ct.tod_marks
    if marks and ct.needs_local:
        n0, n1 = first + offset, last + offset
        for day in range(n0 // _DAY_US, (n1 - 1) // _DAY_US + 1):
            base = day * _DAY_US - offset
            instants.extend(base + m for m in marks if first < base + m < last)
    instants.sort()
    return instants


def _cuts(
    times: list[int], t0: int, t1: int, e0: Decimal, energy: Decimal, kwh_marks: tuple[Decimal, ...]
) -> list[tuple[Decimal, int, Decimal | None]]:
    """Split points inside a period as (fraction, instant, session kWh there or None)."""
    span = t1 - t0
    cuts: list[tuple[Decimal, int, Decimal | None]] = []
    if times:
        dspan = Decimal(span)
        cuts = [(Decimal(b - t0) / dspan, b, None) for b in sorted(set(times))]
    if energy > 0:
        e1 = e0 + energy
        for k in kwh_marks:
            if e0 < k < e1:
                f = (k - e0) / energy
                cuts.append((f, t0 + int(f * span), k))
    if len(cuts) > 1:
        cuts.sort(key=lambda c: c[0])
    return cuts


def _period_times(
    ct: CompiledTariff, t0: int, t1: int, session_start: int, offsets: tuple[int, int], tz: tzinfo
) -> list[int]:
    """Slow path (the UTC offset may change in the session): the instants inside one period."""
    times = [session_start + d for d in ct.duration_marks if t0 < session_start + d < t1]
    if ct.tod_marks and ct.needs_local:
        times.extend(_tod_cuts(ct, t0, t1, offsets[0], offsets[1], tz))
    return times


def _session_offset(
    ct: CompiledTariff, bounds: list[int], tz: tzinfo, fixed_offset: int | None
) -> int | None:
    """One UTC offset valid for the whole session, or ``None`` when it may change inside."""
    if fixed_offset is not None:
        return fixed_offset
    if not ct.needs_local:
        return 0
    first, last = bounds[0], bounds[-1]
    off = _offset_us(first, tz)
    # Offset transitions are months apart; equal offsets at both ends of a session shorter than
    # a week mean no transition happened in between.
    if last - first < _WEEK_US and _offset_us(last, tz) == off:
        return off
    return None


def build_segments(
    ct: CompiledTariff,
    periods: tuple[ChargingPeriod, ...],
    bounds: list[int],
    session_start: int,
    tz: tzinfo,
    fixed_offset: int | None,
) -> list[Segment]:
    """Split ``periods`` (period i spans ``bounds[i]`` to ``bounds[i + 1]``) into segments.

    ``fixed_offset`` is the UTC offset in microseconds when ``tz`` has a constant offset
    (UTC), which skips the time zone conversions.
    """
    segments: list[Segment] = []
    append = segments.append
    kwh_marks = ct.kwh_marks
    kwh = _ZERO
    session_off = _session_offset(ct, bounds, tz, fixed_offset)
    instants: list[int] = []
    if session_off is not None:
        instants = _session_instants(ct, bounds[0], bounds[-1], session_start, session_off)
    for i, p in enumerate(periods):
        t0, t1 = bounds[i], bounds[i + 1]
        energy = p.energy
        if session_off is None:
            offsets = (_offset_us(t0, tz), _offset_us(t1, tz))
            times = _period_times(ct, t0, t1, session_start, offsets, tz)
        else:
            offsets = (session_off, session_off)
            lo, hi = bisect_right(instants, t0), bisect_left(instants, t1)
            times = instants[lo:hi] if lo < hi else []
        if times or (kwh_marks and energy > 0 and kwh < kwh_marks[-1]):
            cuts = _cuts(times, t0, t1, kwh, energy, kwh_marks)
            if cuts:
                _split(segments, i, p, t0, t1, kwh, cuts, tz, offsets)
                kwh += energy
                continue
        append(
            (
                i,
                t0,
                t1,
                energy,
                p.time,
                p.parking_time,
                p.reservation_time,
                kwh,
                p.power,
                p.current,
                t0 + offsets[0],
            )  # fmt: skip
        )
        kwh += energy
    return segments


def _split(
    out: list[Segment],
    index: int,
    p: ChargingPeriod,
    t0: int,
    t1: int,
    kwh: Decimal,
    cuts: list[tuple[Decimal, int, Decimal | None]],
    tz: tzinfo,
    offsets: tuple[int, int],
) -> None:
    off0, off1 = offsets
    vols = (p.energy, p.time, p.parking_time, p.reservation_time)
    used = [_ZERO, _ZERO, _ZERO, _ZERO]
    prev_f, prev_t, prev_k = _ZERO, t0, kwh
    ends = [*cuts, (_ONE, t1, None)]
    n_cuts = len(cuts)
    for n, (f, t, k) in enumerate(ends):
        if f <= prev_f and n < n_cuts:
            continue  # duplicate split point
        width = f - prev_f
        if n == n_cuts:
            parts = [v - u for v, u in zip(vols, used, strict=True)]
        else:
            parts = [v * width if v else v for v in vols]
            used = [u + q for u, q in zip(used, parts, strict=True)]
        local = prev_t + (off0 if off0 == off1 else _offset_us(prev_t, tz))
        out.append(
            (
                index,
                prev_t,
                t,
                parts[0],
                parts[1],
                parts[2],
                parts[3],
                prev_k,
                p.power,
                p.current,
                local,
            )  # fmt: skip
        )
        prev_f, prev_t = f, t
        prev_k = k if k is not None else kwh + used[0]
