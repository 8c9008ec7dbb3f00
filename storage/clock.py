"""Time helpers shared by the repositories: the bot's zone, "now", local midnight.

Instants are stored as UTC epoch seconds; "today" (alerts, /stats) is a calendar day in Paris.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def _now() -> datetime:
    return datetime.now(UTC)


def local_midnight(now: datetime, tz: tzinfo) -> datetime:
    """The first instant of ``now``'s calendar day in ``tz`` (aware, in ``tz``)."""
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    # Round trip through UTC resolves a midnight that does not exist (a DST jump at 00:00 in
    # some zones) to the first real instant of the day.
    return midnight.astimezone(UTC).astimezone(tz)
