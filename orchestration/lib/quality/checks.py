"""Checks that are SQL over the warehouse's bookkeeping rather than GE expectations: volume,
missing exports, quarantined rows, text whose letters were lost."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.lib.config import Source
from orchestration.lib.ingest import literal, quote
from orchestration.lib.quality.validation import SAMPLE_SIZE, Failure


def volume_failures(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    partitions: list[date],
    severity: str = "error",
    history: int = 14,
    floor: float = 0.5,
) -> list[Failure]:
    """Row count of each partition against the median m of the previous `history` loaded partitions.
    It fails below both `floor` x m and m - 5 sqrt(m): a real drop (an empty export of a busy
    source fails), not the day-to-day noise of a small source (8 POS rows after a median of 28)."""
    rows = con.execute(
        """
        with days as (
            select partition_date, sum(rows_loaded) as rows_loaded
            from meta.ingested_files where source = ? group by partition_date
        ),
        ranked as (
            select partition_date, rows_loaded,
                median(rows_loaded) over (order by partition_date
                    rows between ? preceding and 1 preceding) as recent_median
            from days
        )
        select partition_date, rows_loaded, recent_median from ranked
        where partition_date in (select unnest(?::date[]))
            and recent_median > 0 and rows_loaded < ? * recent_median
            and rows_loaded < recent_median - 5 * sqrt(recent_median)
        order by partition_date
        """,
        [source.name, history, partitions, floor],
    ).fetchall()
    return [
        Failure(
            "expect_partition_row_count_within_recent_range",
            None,
            severity,
            1,
            [{"partition": str(day), "rows": int(count), "recent_median": float(median)}],
            f"{day}: {count} rows, below {floor:.0%} of the median {median:g} of the previous "
            f"{history} partitions",
        )
        for day, count, median in rows
    ]


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


def missing_export_failures(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date]
) -> list[Failure]:
    """One error per partition for which an export of the source is expected (sources.yml
    `expected`) and none landed: the volume rule only sees days that have a file. A warning for a
    day listed in `known_missing`; the marts mark the day's periods incomplete either way."""
    return [
        Failure(
            "expect_export_delivered",
            None,
            "warning" if day in source.known_missing else "error",
            1,
            [{"partition": str(day), "files": source.file_glob(day)}],
            f"{day}: no export of source '{source.name}' landed ({source.file_glob(day)} under the "
            "landing folder)"
            + (
                "; listed in known_missing"
                if day in source.known_missing
                else "; land it and re-run the day, or if it is lost for good list the day under the "
                "source's known_missing in sources.yml (expected_from for a source that starts later)"
            ),
        )
        for day in missing_days(con, source, partitions)
    ]


def quarantine_failures(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date], error_share: float, min_rows: int
) -> list[Failure]:
    """One failure per (rule, column) of the rows quarantined at ingestion in these partitions, with
    sample reasons and their file:line. A warning, or an error when the quarantined rows exceed
    both `error_share` of the rows read and `min_rows`."""
    read, quarantined = con.execute(
        "select coalesce(sum(rows_read), 0), coalesce(sum(rows_quarantined), 0) "
        "from meta.ingested_files where source = ? and partition_date in (select unnest(?::date[]))",
        [source.name, partitions],
    ).fetchone()
    severity = "error" if quarantined > max(min_rows, error_share * read) else "warning"
    rows = con.execute(
        f"""
        select rule, column_name, count(*) as n,
            list(reason || ' (' || _source_file || ':' || _source_row || ')'
                order by _source_file, _source_row)[1:{SAMPLE_SIZE}] as samples
        from quarantine.{quote(source.name)}
        where _partition_date in (select unnest(?::date[]))
        group by rule, column_name
        order by n desc, rule, column_name
        """,
        [partitions],
    ).fetchall()
    return [
        Failure(
            f"quarantine: {rule}",
            column,
            severity,
            int(count),
            list(samples),
            f"{quarantined} of {read} rows read were quarantined "
            f"(error above {error_share:.0%} and {min_rows} rows); see quarantine.{source.name}",
        )
        for rule, column, count, samples in rows
    ]


# A letter, question marks, a letter: "Tr?i nghi?m kh?ch h?ng" is "Trải nghiệm khách hàng" after a
# tool wrote it in an encoding without Vietnamese letters. Addresses with a query string are not.
QUESTION_MARKS_IN_WORDS = r"\pL\?+\pL"


def encoding_failures(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date], min_share: float
) -> list[Failure]:
    """A warning per text column of which, in some file of these partitions, at least `min_share`
    of the values have question marks inside words. The letters were lost before the export
    reached us (a wrong encoding on our side would have failed the read), so the text is loaded
    as it is and shown here with samples: the source has to send a good export. Judged per file:
    one damaged export is a small share of a month of good ones."""
    texts = [c.name for c in source.columns if c.type == "text"]
    if not texts:
        return []

    def mangled(column: str) -> str:  # the regular expression only for the few values with a '?'
        value = quote(column)
        return (
            f"case when contains({value}, '?') then regexp_matches({value}, "
            f"{literal(QUESTION_MARKS_IN_WORDS)}) and not contains({value}, '://') else false end"
        )

    table = f"raw.{quote(source.name)}"
    in_partitions = "_partition_date in (select unnest(?::date[]))"
    counts = ", ".join(f"count({quote(c)}), count(*) filter (where {mangled(c)})" for c in texts)
    per_file = con.execute(
        f"select _source_file, {counts} from {table} where {in_partitions} group by _source_file",
        [partitions],
    ).fetchall()
    failures = []
    for position, column in enumerate(texts):
        damaged = {}  # file -> (values, values with '?' in words)
        for file, *row in per_file:
            values, bad = row[2 * position : 2 * position + 2]
            if bad and bad >= min_share * values:
                damaged[file] = (values, bad)
        if not damaged:
            continue
        samples = con.execute(
            f"select {quote(column)} || ' (' || _source_file || ':' || _source_row || ')' from {table} "
            f"where {in_partitions} and _source_file in (select unnest(?::varchar[])) and {mangled(column)} "
            f"order by _source_file, _source_row limit {SAMPLE_SIZE}",
            [partitions, sorted(damaged)],
        ).fetchall()
        bad = sum(count for _, count in damaged.values())
        values = sum(count for count, _ in damaged.values())
        failures.append(
            Failure(
                "expect_text_without_question_marks_in_words",
                column,
                "warning",
                bad,
                [sample for (sample,) in samples],
                f"{bad} of {values} values in {', '.join(sorted(damaged))} have '?' inside "
                f"words (at least {min_share:.0%} of a file's values): letters lost to an encoding "
                "before the export reached us; ask the source for a new export",
            )
        )
    return failures
