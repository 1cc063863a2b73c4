"""Times and durations as Anam writes them and as a summary says them: "2 Dec 14:05 UTC", "4 min"."""

from __future__ import annotations

import math
from datetime import UTC, datetime

__all__ = ["moment", "parse_time", "span"]


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time from Anam, in UTC when it names no zone; None when there is none or it cannot be read."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def moment(when: datetime | str | None) -> str:
    """A time as a person reads it, in UTC: "2 Dec 14:05 UTC" ("time unknown" if it cannot be read)."""
    parsed = parse_time(when) if isinstance(when, str) or when is None else when
    if parsed is None:
        return "time unknown"
    utc = parsed.astimezone(UTC)
    return f"{utc.day} {utc:%b %H:%M} UTC"


def span(seconds: float | None) -> str:
    """A duration as a person says it: "45 s", "4 min", "1 h 5 min"."""
    if seconds is None or not math.isfinite(seconds):
        return "length unknown"
    if seconds < 60:
        return f"{max(0, round(seconds))} s"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
