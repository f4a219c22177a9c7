"""The period a figure covers: whole days in the site's time zone, read from ?start=&end=,
and its buckets (days or months) for charts."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ActionError

MAX_YEARS = 5
# Ranges up to this many days are drawn day by day, longer ones month by month.
DAILY_UP_TO_DAYS = 62


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _parse_day(raw: str, field_name: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ActionError(
            _("Give the date as YYYY-MM-DD, for example 2026-03-01."),
            code="invalid_date",
            field=field_name,
        ) from None


@dataclass(frozen=True)
class Period:
    """A range of whole days, both ends included, in the site's time zone."""

    start: date
    end: date

    @classmethod
    def parse(cls, start: str | None, end: str | None, *, today: date | None = None) -> Period:
        """Read ?start=&end= (YYYY-MM-DD). Missing ends default to the last twelve months.
        A backwards range or one longer than five years raises ActionError."""
        today = today or timezone.localdate()
        end_day = _parse_day(end, "end") if end else today
        if start:
            start_day = _parse_day(start, "start")
        else:
            first_of_month = end_day.replace(day=1)
            start_day = _add_years(first_of_month, -1) + timedelta(days=32)
            start_day = start_day.replace(day=1)
        if start_day > end_day:
            raise ActionError(
                _("The start date is after the end date."), code="start_after_end", field="start"
            )
        if end_day > _add_years(start_day, MAX_YEARS):
            raise ActionError(
                _("Choose a period of at most five years."), field="start", code="range_too_long"
            )
        return cls(start_day, end_day)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last))

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def daily(self) -> bool:
        return (self.end - self.start).days < DAILY_UP_TO_DAYS

    def buckets(self) -> list[str]:
        """Labels of every day or month in the period, so empty ones are drawn as 0."""
        labels = []
        if self.daily:
            day = self.start
            while day <= self.end:
                labels.append(day.isoformat())
                day += timedelta(days=1)
            return labels
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            labels.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return labels

    def bucket_parts(self, field_name: str) -> dict[str, Any]:
        """Annotations naming the day or month of `field_name` in the site's time zone.

        Whole numbers (year, month, day) rather than truncated datetimes: the database does
        the time-zone arithmetic and Python reads back plain integers."""
        parts: dict[str, Any] = {
            "bucket_year": ExtractYear(field_name),
            "bucket_month": ExtractMonth(field_name),
        }
        if self.daily:
            parts["bucket_day"] = ExtractDay(field_name)
        return parts

    def bucket_label(self, *parts: int) -> str:
        """The label of a (year, month[, day]) bucket, as in buckets()."""
        if self.daily:
            return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"
        return f"{parts[0]:04d}-{parts[1]:02d}"

    def as_query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"
