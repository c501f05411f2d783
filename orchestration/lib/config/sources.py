"""A loaded source entry (Source) and its columns (Column): what ingestion reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from orchestration.lib.config.fields import DEFAULT_MAX_RECORD_LINES


@dataclass(frozen=True)
class Column:
    name: str
    source: str
    type: str
    format: str | None = None
    thousands: str | None = None
    decimal_mark: str = "."
    required: bool = False
    accepted_values: tuple[str, ...] | None = None
    min: float | str | None = None
    max: float | str | None = None
    # The export's words -> the canonical words, applied in dbt staging (e.g. Kênh: Zalo -> zalo).
    values: dict[str, str] | None = None
    # Numbers: the forms a negative may take (NEGATIVE_FORMS), and currency or unit symbols
    # allowed before or after the number ("1.250.000 ₫").
    negatives: tuple[str, ...] = ("minus",)
    symbols: tuple[str, ...] = ()
    # Dates and timestamps: an event (ordered, sent, updated...) cannot be later than the export
    # that reports it; false for dates an export holds ahead of time (a promised delivery date).
    event: bool = True


@dataclass(frozen=True)
class Source:
    name: str
    domain: str
    files: str
    format: str
    encoding: str
    delimiter: str
    date_format: str
    timezone: str
    primary_key: tuple[str, ...]
    row_date: str | None
    columns: tuple[Column, ...]
    description: str = ""
    skip_rows: int = 0
    sheet: str | None = None
    version_column: str | None = None
    constants: dict[str, str] = field(default_factory=dict)
    entities: tuple[str, ...] = ()
    # customer_id and customer_account_id are identifiers within this namespace (sources of one
    # system that share customer ids share it).
    customer_namespace: str = ""
    max_record_lines: int = DEFAULT_MAX_RECORD_LINES
    # Expected deliveries (see _parse_expected): ISO weekdays (1 = Monday) on which an export is
    # expected, from which day, and the days whose export is known to be lost.
    expected_weekdays: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
    expected_from: date | None = None
    known_missing: tuple[date, ...] = ()

    def is_expected_on(self, day: date) -> bool:
        """Whether an export of this source is expected for `day` (known_missing days included)."""
        return day.isoweekday() in self.expected_weekdays and (
            self.expected_from is None or day >= self.expected_from
        )

    # An event date may be at most this many days after the file's export day (its partition).
    days_after_export: int = 1
    # Without a version column: the sheet lists a record again when it changes, so a later row
    # of the same key is its newer version (not a conflicting copy).
    versioned_by_row_order: bool = False

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    def file_glob(self, partition: date | None = None) -> str:
        """The glob of this source's files, for one partition date or for all of them."""
        stamp = partition.strftime(self.date_format) if partition else "*"
        return self.files.replace("{date}", stamp).replace("**", "*")

    def partition_of(self, relative_path: str) -> date | None:
        """The partition date written in a landed file's path, or None if it does not match."""
        before, after = self.files.split("{date}", 1)
        pattern = re.escape(before) + f"(?P<date>{_date_regex(self.date_format)})" + _glob_to_regex(after)
        match = re.fullmatch(pattern, relative_path)
        if not match:
            return None
        try:
            return datetime.strptime(match.group("date"), self.date_format).date()
        except ValueError:
            return None


_DIRECTIVES = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{2}", "%y": r"\d{2}", "%b": "[A-Za-z]{3}"}


def _date_regex(date_format: str) -> str:
    parts = re.split(r"(%[a-zA-Z])", date_format)
    return "".join(_DIRECTIVES.get(part, re.escape(part)) for part in parts if part)


def _glob_to_regex(glob: str) -> str:
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in glob)
