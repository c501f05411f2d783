"""Expected deliveries: which exports the warehouse expects from each source, and which are missing.

The configuration is the `expected`, `expected_from` and `known_missing` fields of sources.yml
(orchestration.lib.config). Ingestion writes it into meta.expected_deliveries, one row per source
and ISO weekday (1 = Monday) on which an export is expected, so that dbt reads the same
configuration (int_expected_exports_missing, and through it int_periods.is_complete) without a
second copy of it; the raw checks read the Source objects themselves (missing_days).
"""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.lib.config import Source

EXPECTED_TABLE = "meta.expected_deliveries"


def write_expected_deliveries(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> None:
    """Replace meta.expected_deliveries with the expectations of `sources` (the whole config)."""
    con.execute("create schema if not exists meta")
    con.execute(
        f"create or replace table {EXPECTED_TABLE} (source varchar, iso_weekday integer, expected_from date)"
    )
    rows = [(s.name, weekday, s.expected_from) for s in sources for weekday in s.expected_weekdays]
    if rows:
        con.executemany(f"insert into {EXPECTED_TABLE} values (?, ?, ?)", rows)


def missing_days(con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date]) -> list[date]:
    """The partitions on which an export of `source` is expected and none landed: no file at all
    in meta.ingested_files (an empty file or a duplicate counts as delivered; the volume check
    judges its rows)."""
    delivered = {
        day
        for (day,) in con.execute(
            "select distinct partition_date from meta.ingested_files "
            "where source = ? and partition_date in (select unnest(?::date[]))",
            [source.name, partitions],
        ).fetchall()
    }
    return [day for day in sorted(partitions) if source.is_expected_on(day) and day not in delivered]
