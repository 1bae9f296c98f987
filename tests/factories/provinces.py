"""Helpers for the calendar and profile tests (pure Python: no database, no cache)."""

from __future__ import annotations

from datetime import datetime

from provinces.calendar import TZ


def vn(*args: int) -> datetime:
    """An instant in Vietnam's time zone: `vn(2026, 3, 4, 10)` is 4 March 2026 at 10:00."""
    return datetime(*args, tzinfo=TZ)
