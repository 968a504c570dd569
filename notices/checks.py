"""Cross-checks a notice allows: stated length against stakes, stated days against the window.

A separate step after parsing: the record is complete before it is checked, and a failed
check is a finding on the record, never a reason to drop it.
"""

from __future__ import annotations

from notices.model import Check, RoadClosure, Segment, Window, evolve

_KM_TOLERANCE = 0.01  # kilometres: a printed length is rounded to metres at best
_KM_RELATIVE = 0.02


def _length_check(segment: Segment) -> Check | None:
    if segment.length_km is None or segment.from_ is None or segment.to is None:
        return None
    computed = abs(segment.to.m - segment.from_.m) / 1000
    ok = abs(computed - segment.length_km) <= max(_KM_TOLERANCE, _KM_RELATIVE * segment.length_km)
    where = f"{segment.from_.text}–{segment.to.text}"
    return Check(
        "stake_length", ok, f"{where}: stated {segment.length_km:g} km, stakes give {computed:g} km"
    )


def _days_check(window: Window) -> Check | None:
    if window.days_stated is None or window.end is None:
        return None
    counted = (window.end - window.start).days + 1
    ok = counted == window.days_stated
    return Check(
        "days_stated",
        ok,
        f"stated {window.days_stated} days, {window.start}–{window.end} spans {counted}",
    )


def _order_check(window: Window) -> Check | None:
    if window.end is None:
        return None
    ok = window.end >= window.start
    return Check(
        "window_order",
        ok,
        f"window {window.start} to {window.end}" + ("" if ok else ": ends before it starts"),
    )


def check_road(record: RoadClosure) -> RoadClosure:
    """Return the record with the checks its fields allow, and warnings for failed ones."""
    checks = [c for s in record.segments if (c := _length_check(s))]
    for window in record.windows or ((record.window,) if record.window else ()):
        checks.extend(c for c in (_days_check(window), _order_check(window)) if c)
    warnings = list(record.warnings)
    warnings.extend(f"check {c.code} failed: {c.message}" for c in checks if not c.ok)
    return evolve(record, checks=tuple(checks), warnings=tuple(warnings))
