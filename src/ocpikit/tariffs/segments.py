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

from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

from ocpikit.tariffs.model import ChargingPeriod
from ocpikit.tariffs.restrictions import CompiledTariff

__all__ = ["Segment", "build_segments", "to_us"]

_US = 1_000_000
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_ONE_US = timedelta(microseconds=1)
_ZERO = Decimal(0)
_SLOW_PATH_SPAN = 20 * _DAY_US


def to_us(moment: datetime) -> int:
    """Return ``moment`` as integer microseconds since the Unix epoch (exact)."""
    return (moment - _EPOCH) // _ONE_US


class Segment:
    """A part of one charging period in which every restriction keeps its state."""

    __slots__ = (
        "current",
        "day",
        "end",
        "energy",
        "kwh_before",
        "parking",
        "period",
        "power",
        "reservation",
        "sod",
        "start",
        "time",
    )

    def __init__(
        self,
        period: int,
        start: int,
        end: int,
        energy: Decimal,
        time: Decimal,
        parking: Decimal,
        reservation: Decimal,
        kwh_before: Decimal,
        power: Decimal | None,
        current: Decimal | None,
        local_us: int,
    ) -> None:
        self.period = period
        self.start = start
        self.end = end
        self.energy = energy
        self.time = time
        self.parking = parking
        self.reservation = reservation
        self.kwh_before = kwh_before
        self.power = power
        self.current = current
        self.day = local_us // _DAY_US + _EPOCH_ORDINAL
        self.sod = (local_us % _DAY_US) // _US

    @property
    def weekday(self) -> int:
        """Local weekday of the segment start, Monday = 0."""
        return (self.day - 1) % 7


def _offset_us(moment_us: int, tz: tzinfo) -> int:
    moment = (_EPOCH + timedelta(microseconds=moment_us)).astimezone(tz)
    off = moment.utcoffset()
    return 0 if off is None else off // _ONE_US


def _tod_cuts(ct: CompiledTariff, t0: int, t1: int, off0: int, off1: int, tz: tzinfo) -> list[int]:
    """Instants in (t0, t1) where the local time of day hits one of the tariff's marks."""
    cuts: list[int] = []
    marks = ct.tod_marks
    n0, n1 = t0 + off0, t1 + off1
    if off0 == off1 and t1 - t0 < _SLOW_PATH_SPAN:
        for day in range(n0 // _DAY_US, (n1 - 1) // _DAY_US + 1):
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


def _cuts(
    ct: CompiledTariff,
    t0: int,
    t1: int,
    e0: Decimal,
    energy: Decimal,
    session_start: int,
    offsets: tuple[int, int],
    tz: tzinfo,
) -> list[tuple[Decimal, int, Decimal | None]]:
    """All split points inside a period as (fraction, instant, kWh at that point or None)."""
    times: set[int] = set()
    if ct.tod_marks and ct.needs_local:
        times.update(_tod_cuts(ct, t0, t1, offsets[0], offsets[1], tz))
    for d in ct.duration_marks:
        b = session_start + d
        if t0 < b < t1:
            times.add(b)
    span = t1 - t0
    cuts: list[tuple[Decimal, int, Decimal | None]] = []
    if times:
        dspan = Decimal(span)
        cuts = [(Decimal(b - t0) / dspan, b, None) for b in times]
    if energy > 0:
        e1 = e0 + energy
        for k in ct.kwh_marks:
            if e0 < k < e1:
                f = (k - e0) / energy
                cuts.append((f, t0 + int(f * span), k))
    cuts.sort(key=lambda c: c[0])
    return cuts


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
    needs_split = bool(ct.duration_marks or ct.kwh_marks or (ct.tod_marks and ct.needs_local))
    kwh = _ZERO
    next_off = None
    for i, p in enumerate(periods):
        t0, t1 = bounds[i], bounds[i + 1]
        if fixed_offset is not None:
            off0 = off1 = fixed_offset
        elif ct.needs_local:
            off0 = next_off if next_off is not None else _offset_us(t0, tz)
            off1 = next_off = _offset_us(t1, tz)
        else:
            off0 = off1 = 0
        cuts = (
            _cuts(ct, t0, t1, kwh, p.energy, session_start, (off0, off1), tz) if needs_split else []
        )
        if not cuts:
            segments.append(
                Segment(
                    i,
                    t0,
                    t1,
                    p.energy,
                    p.time,
                    p.parking_time,
                    p.reservation_time,
                    kwh,
                    p.power,
                    p.current,
                    t0 + off0,
                )  # fmt: skip
            )
        else:
            _split(segments, i, p, t0, t1, kwh, cuts, tz, (off0, off1, fixed_offset))
        kwh += p.energy
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
    offsets: tuple[int, int, int | None],
) -> None:
    off0, off1, fixed = offsets
    vols = (p.energy, p.time, p.parking_time, p.reservation_time)
    used = [_ZERO, _ZERO, _ZERO, _ZERO]
    prev_f, prev_t, prev_k = _ZERO, t0, kwh
    bounds = [*cuts, (Decimal(1), t1, None)]
    for n, (f, t, k) in enumerate(bounds):
        if f <= prev_f and n < len(cuts):
            continue  # duplicate split point
        last = n == len(cuts)
        parts = [v - u if last else v * (f - prev_f) for v, u in zip(vols, used, strict=True)]
        for j in range(4):
            used[j] += parts[j]
        if fixed is not None or off0 == off1:
            local = prev_t + off0
        else:
            local = prev_t + _offset_us(prev_t, tz)
        out.append(
            Segment(
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
