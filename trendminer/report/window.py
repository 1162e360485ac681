"""The window a daily report covers: the day and the weeks before it (local dates).

Day tables (activity, sentiment, peaks, influencers) cover the 28 days ending with the report
day; week tables (attribute shares and events) the 12 weeks ending with it, since a weekly
event needs more than four points to be seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WINDOW_DAYS = 28
WINDOW_WEEKS = 12


@dataclass(frozen=True, slots=True)
class ReportWindow:
    """``start`` .. ``end`` inclusive; ``week_start`` is the Monday that starts the week span."""

    start: date
    end: date

    @classmethod
    def ending(cls, day: date) -> ReportWindow:
        """The report window of ``day``."""
        return cls(start=day - timedelta(days=WINDOW_DAYS - 1), end=day)

    @property
    def week_start(self) -> date:
        first = self.end - timedelta(weeks=WINDOW_WEEKS) + timedelta(days=1)
        return first - timedelta(days=first.weekday())

    @property
    def month_start(self) -> date:
        return self.start.replace(day=1)

    def params(self) -> dict[str, date]:
        """Bind parameters for the report's queries."""
        return {
            "start": self.start,
            "end": self.end,
            "week_start": self.week_start,
            "month_start": self.month_start,
        }
