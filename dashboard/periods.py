"""The grains, the chosen range, and the period arithmetic the page does, all of it here.

The marts give each row's period_grain and period_start; they do not publish a period's end or
length (int_periods has period_end and days_in_period, but no published mart carries them), so
period_end() below computes the day after a period for the length of a period (is it complete?)
and for the verbatims' date range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.marts import days_covered

GRAINS = ("day", "week", "month", "quarter", "year")
DEFAULT_GRAIN = "week"
DEFAULT_PERIODS = 13  # the default range: the last 13 periods (a quarter of weeks)


@dataclass(frozen=True)
class Selection:
    grain: str
    first: date  # first period start of the range
    last: date  # last period start of the range: the period the tiles show
    channels: dict[str, str]


def period_end(grain: str, start: date) -> date:
    """The first day after the period."""
    offset = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
        "quarter": pd.DateOffset(months=3),
        "year": pd.DateOffset(years=1),
    }[grain]
    return (pd.Timestamp(start) + offset).date()


def period_days(grain: str, start: date) -> int:
    """How many days the period has."""
    return (period_end(grain, start) - start).days


def last_complete_period(frames: dict, grain: str, periods: list[date]) -> date:
    """The latest period whose every day is loaded (the current week is partial until Sunday's run),
    or the latest period when none is complete."""
    for start in reversed(periods):
        if days_covered(frames, grain, start) == period_days(grain, start):
            return start
    return periods[-1]


def current_and_previous(rows: pd.DataFrame, selection: Selection) -> tuple[pd.Series | None, ...]:
    """The row of the range's last period and the row of the period just before it (same grain)."""
    rows = rows[rows["period_grain"] == selection.grain].sort_values("period_start")
    current = rows[rows["period_start"] == selection.last]
    before = rows[rows["period_start"] < selection.last]
    return (
        current.iloc[0] if len(current) else None,
        before.iloc[-1] if len(before) else None,
    )


def at_last_period(rows: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    return rows[(rows["period_grain"] == selection.grain) & (rows["period_start"] == selection.last)]


def in_range(rows: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    return rows[
        (rows["period_grain"] == selection.grain)
        & (rows["period_start"] >= selection.first)
        & (rows["period_start"] <= selection.last)
    ]
