"""Loading a run's partitions into DuckDB: the raw, quarantine and meta tables (created or
extended), the reconciliation view, and the run itself (in batches, one transaction): partitions
deleted, files staged and checked, good rows into raw.<source>, bad rows into quarantine.<source>,
one record per file in meta.ingested_files."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.lib.config import Source
from orchestration.lib.ingest.discovery import FileResult, _Landed, _plan
from orchestration.lib.ingest.parsing import _parsed, _parsed_columns
from orchestration.lib.ingest.rules import _check, _of_check, _rule_checks
from orchestration.lib.ingest.sql import SQL_TYPES, literal, quote
from orchestration.lib.ingest.staging import _stage
from orchestration.lib.settings import settings

LINEAGE_COLUMNS = {
    "_source_file": "varchar",
    "_source_row": "bigint",
    "_partition_date": "date",
    "_loaded_at": "timestamp",
}
QUARANTINE_COLUMNS = {
    "_partition_date": "date",
    "_source_file": "varchar",
    "_source_row": "bigint",
    "rule": "varchar",
    "column_name": "varchar",
    "reason": "varchar",
    "raw_record": "varchar",
    "_loaded_at": "timestamp",
}
FILES_TABLE = "meta.ingested_files"
# The temporary tables of a run's load (dropped at its end, whatever happened).
TEMP_TABLES = ("run_files", "staged_raw", "staged", "rejected", "moved", "export_days", "parsed", "bad")
FILES_COLUMNS = {
    "source": "varchar",
    "partition_date": "date",
    "file_path": "varchar",
    "file_sha256": "varchar",
    "file_bytes": "bigint",
    "status": "varchar",
    "duplicate_of": "varchar",
    "rows_read": "bigint",
    "rows_loaded": "bigint",
    "rows_quarantined": "bigint",
    "extra_columns": "varchar",
    "loaded_at": "timestamp",
    # Physical lines of a text export: read = loaded + quarantined + skipped (header, titles, blank
    # lines). Null for XLSX (a row is a record) and for files not read (duplicate, empty).
    "lines_read": "bigint",
    "lines_loaded": "bigint",
    "lines_quarantined": "bigint",
    "lines_skipped": "bigint",
}


@dataclass
class PartitionResult:
    source: str
    partition_date: date
    files: list[FileResult]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "partition_date": self.partition_date.isoformat(),
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "files": [asdict(f) for f in self.files],
        }


# ----------------------------------------------------------------------------- tables


def ensure_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Create raw.<source>, quarantine.<source> and meta tables; add newly configured columns."""
    for schema in ("raw", "quarantine", "meta"):
        con.execute(f"create schema if not exists {schema}")
    _create_or_extend(con, "meta", "ingested_files", FILES_COLUMNS)
    raw_columns = {c.name: SQL_TYPES[c.type] for c in source.columns}
    raw_columns |= {name: "varchar" for name in source.constants}
    raw_columns |= LINEAGE_COLUMNS
    _create_or_extend(con, "raw", source.name, raw_columns)
    _create_or_extend(con, "quarantine", source.name, QUARANTINE_COLUMNS)


def _create_or_extend(con, schema: str, table: str, columns: dict[str, str]) -> None:
    body = ", ".join(f"{quote(name)} {sql_type}" for name, sql_type in columns.items())
    con.execute(f"create table if not exists {schema}.{quote(table)} ({body})")
    existing = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    )
    for name, sql_type in columns.items():
        if name not in existing:
            con.execute(f"alter table {schema}.{quote(table)} add column {quote(name)} {sql_type}")
        elif existing[name].startswith("DECIMAL") and existing[name] != sql_type.upper().replace(" ", ""):
            # Decimals of an older version (decimal(18, 2)): widened, or new values would be rounded.
            con.execute(f"alter table {schema}.{quote(table)} alter column {quote(name)} type {sql_type}")


def refresh_reconciliation(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> None:
    """(Re)create quarantine.reconciliation: read = loaded + quarantined per source and day, in
    records and in physical lines (a record can span lines; header and blank lines are skipped)."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    parts = []
    for source in sources:
        if source.name not in existing:
            continue
        name = literal(source.name)
        parts.append(
            f"""select {name} as source, files.partition_date, files.rows_read,
                coalesce(loaded.n, 0) as rows_loaded, coalesce(bad.n, 0) as rows_quarantined,
                files.lines_read, files.lines_loaded, files.lines_quarantined, files.lines_skipped
            from (select partition_date, sum(rows_read) as rows_read, sum(lines_read) as lines_read,
                    sum(lines_loaded) as lines_loaded, sum(lines_quarantined) as lines_quarantined,
                    sum(lines_skipped) as lines_skipped
                  from {FILES_TABLE} where source = {name} group by partition_date) as files
            left join (select _partition_date, count(*) as n from raw.{quote(source.name)}
                  group by _partition_date) as loaded on loaded._partition_date = files.partition_date
            left join (select _partition_date, count(*) as n from quarantine.{quote(source.name)}
                  group by _partition_date) as bad on bad._partition_date = files.partition_date"""
        )
    if not parts:
        return
    union = "\nunion all\n".join(parts)
    con.execute(
        f"""create or replace view quarantine.reconciliation as
        select *, rows_read = rows_loaded + rows_quarantined
            -- lines are null for days of XLSX files only, or loaded before lines were counted
            and coalesce(lines_read = lines_loaded + lines_quarantined + lines_skipped, true) as is_balanced
        from ({union}) as per_source"""
    )


# ----------------------------------------------------------------------------- loading


def load_partition(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    landing_dir: Path,
    partition: date,
    loaded_at: datetime | None = None,
) -> PartitionResult:
    """Replace one source's partition with the rows of its landed files. Idempotent."""
    return load_partitions(con, source, landing_dir, [partition], loaded_at)[0]


def load_partitions(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    landing_dir: Path,
    partitions: list[date],
    loaded_at: datetime | None = None,
) -> list[PartitionResult]:
    """Replace the partitions with the rows of their landed files, all or nothing. Idempotent."""
    landing_dir = Path(landing_dir).resolve()
    loaded_at = loaded_at or datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    con.execute("set TimeZone = 'UTC'")
    ensure_tables(con, source)
    files = _plan(landing_dir, source, partitions)
    con.execute("begin transaction")
    try:
        _delete(con, source, partitions)
        for batch in _batches([f for f in files if f.result.status == "loaded"]):
            with tempfile.TemporaryDirectory(prefix="cx_ingest_") as tmp:
                _stage(con, source, batch, Path(tmp))
            _check(con, source)
            _count(con, batch)
            _insert(con, source, loaded_at)
        _record_files(con, source, files, loaded_at)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for table in TEMP_TABLES:
            con.execute(f"drop table if exists {table}")
    by_day: dict[date, list[FileResult]] = {partition: [] for partition in partitions}
    for landed in files:
        by_day[landed.partition].append(landed.result)
    return [PartitionResult(source.name, partition, by_day[partition]) for partition in partitions]


def _batches(files: list[_Landed]) -> Iterator[list[_Landed]]:
    """Whole partitions, in order, about CX_INGEST_BATCH_BYTES at a time (one transaction each):
    the temp tables of a batch stay small, and the files of one export day are checked together
    (conflicting copies, _check)."""
    limit = settings().ingest_batch_bytes
    batch: list[_Landed] = []
    size = 0
    for landed in files:
        if batch and size + landed.size > limit and landed.partition != batch[-1].partition:
            yield batch
            batch, size = [], 0
        batch.append(landed)
        size += landed.size
    if batch:
        yield batch


def _count(con, files: list[_Landed]) -> None:
    """Rows read, loaded and quarantined per file (read = loaded + quarantined), and the physical
    lines of a text file: those of its records, loaded or quarantined, and those skipped."""
    counts = {
        file: (int(read), int(bad), int(lines), int(bad_lines))
        for file, read, bad, lines, bad_lines in con.execute(
            """select _source_file, sum(read), sum(bad), sum(lines), sum(bad_lines) from (
                select _source_file, count(*) as read, 0 as bad, count(*) + sum(__breaks) as lines,
                    0 as bad_lines
                from staged group by all
                union all select _source_file, count(*), count(*), sum(_lines), sum(_lines)
                from rejected group by all
                union all select b._source_file, 0, count(*), 0, count(*) + sum(s.__breaks)
                from bad as b inner join staged as s using (_source_file, _line) group by all
            ) as per_kind group by all"""
        ).fetchall()
    }
    for landed in files:
        read, bad, lines, bad_lines = counts.get(landed.result.file, (0, 0, 0, 0))
        result = landed.result
        result.rows_read, result.rows_loaded, result.rows_quarantined = read, read - bad, bad
        if landed.text is not None:  # XLSX: a row is a record, there is nothing to count apart
            result.lines_read, result.lines_skipped = landed.text.lines, landed.skipped_lines
            result.lines_loaded, result.lines_quarantined = lines - bad_lines, bad_lines


def _delete(con, source: Source, partitions: list[date]) -> None:
    """Delete the partitions from raw.<source>, quarantine.<source> and meta.ingested_files."""
    for table in (f"raw.{quote(source.name)}", f"quarantine.{quote(source.name)}"):
        con.execute(f"delete from {table} where _partition_date in (select unnest(?::date[]))", [partitions])
    con.execute(
        f"delete from {FILES_TABLE} where source = ? and partition_date in (select unnest(?::date[]))",
        [source.name, partitions],
    )


def _insert(con, source: Source, loaded_at: datetime) -> None:
    """Good rows of the batch into raw.<source>; bad rows and malformed records, with the rule,
    column and reason, into quarantine.<source>."""
    loaded = f"cast({literal(loaded_at.isoformat())} as timestamp)"
    targets = [c.name for c in source.columns] + list(source.constants) + list(LINEAGE_COLUMNS)
    values = [_parsed(c.name) for c in source.columns]
    values += [literal(v) for v in source.constants.values()]
    values += ["_source_file", "_line", "_partition_date", loaded]
    con.execute(
        f"insert into raw.{quote(source.name)} ({', '.join(quote(t) for t in targets)}) "
        f"select {', '.join(values)} from parsed anti join bad using (_source_file, _line)"
    )

    # Quarantine: the failing rule, column and reason of each bad row, computed for those rows only.
    checks = [(c.name, *check) for c in source.columns for check in _rule_checks(source, c)]
    repeats = {0: "'duplicate_row'", -1: "'conflicting_record'"}  # their column and reason: from _check
    rule = _of_check(repeats | {n: literal(c[1]) for n, c in enumerate(checks, 1)})
    column = f"coalesce(__column, {_of_check({n: literal(c[0]) for n, c in enumerate(checks, 1)})})"
    reason = f"coalesce(__reason, {_of_check({n: c[3] for n, c in enumerate(checks, 1)})})"
    parsed_columns = _parsed_columns(source)
    if source.format == "ndjson":
        raw_record = "line"
    else:
        fields = ", ".join(
            f"{quote(name)} := {quote(name)}" for name in dict.fromkeys(c.source for c in source.columns)
        )
        raw_record = f"cast(to_json(struct_pack({fields})) as varchar)"
    con.execute(
        f"""insert into quarantine.{quote(source.name)} ({", ".join(quote(c) for c in QUARANTINE_COLUMNS)})
        with hit as (
            select s.*, b.__check, b.__column, b.__reason
            from staged as s inner join bad as b using (_source_file, _line)
        ),
        typed as (select *, {raw_record} as __raw_record, {parsed_columns} from hit)
        select _partition_date, _source_file, _line, {rule}, {column}, {reason}, __raw_record, {loaded}
        from typed
        union all
        select _partition_date, _source_file, _line, 'malformed_line', null, reason, csv_line, {loaded}
        from rejected"""
    )


def _record_files(con, source: Source, files: list[_Landed], loaded_at: datetime) -> None:
    """One row per landed file of the run in meta.ingested_files (one insert, through Arrow)."""
    import pyarrow as pa

    records = [
        {
            "source": source.name,
            "partition_date": f.partition,
            "file_path": f.result.file,
            "file_sha256": f.result.sha256,
            "file_bytes": f.size,
            "status": f.result.status,
            "duplicate_of": f.result.duplicate_of,
            "rows_read": f.result.rows_read,
            "rows_loaded": f.result.rows_loaded,
            "rows_quarantined": f.result.rows_quarantined,
            "extra_columns": json.dumps(f.result.extra_columns, ensure_ascii=False),
            "loaded_at": loaded_at,
            "lines_read": f.result.lines_read,
            "lines_loaded": f.result.lines_loaded,
            "lines_quarantined": f.result.lines_quarantined,
            "lines_skipped": f.result.lines_skipped,
        }
        for f in files
    ]
    if records:
        con.register("run_file_records", pa.Table.from_pylist(records))
        con.execute(f"insert into {FILES_TABLE} by name select * from run_file_records")
        con.unregister("run_file_records")
