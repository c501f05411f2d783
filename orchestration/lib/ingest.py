"""Load one day's exports of one source into DuckDB, set-based, with lineage and quarantine.

For each landed file of the partition:
1. read it with DuckDB's own readers (read_csv / read_text) into a temporary table of text
   columns, keeping each record's line number; malformed lines are captured, not skipped;
2. check the header against the configuration (a missing mapped column stops the source with
   a SchemaDriftError naming the file and column; extra columns are accepted and recorded);
3. parse every mapped column to its type in one SELECT and evaluate the row-level rules;
4. in one transaction, replace the partition: delete its rows from raw.<source>,
   quarantine.<source> and meta.ingested_files, then insert good rows into raw.<source> and
   bad rows (with the rule, column, reason, file and line) into quarantine.<source>.

A file whose bytes were already loaded (the same export delivered twice) is recorded with status
'duplicate' and not loaded again. Re-loading a partition gives the same tables.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.lib.config import Column, Source

DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "latin-1": "latin-1"}
SQL_TYPES = {
    "text": "varchar",
    "integer": "bigint",
    "decimal": "decimal(18, 2)",
    "date": "date",
    "timestamp": "timestamp",
    "boolean": "boolean",
}
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


class IngestError(RuntimeError):
    """A file cannot be loaded; the message names the source, file and what is wrong."""


class SchemaDriftError(IngestError):
    """A mapped column is missing from an export (renamed or removed)."""


@dataclass
class FileResult:
    file: str
    sha256: str
    status: str  # loaded | duplicate | empty
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicate_of: str | None = None
    extra_columns: list[str] = field(default_factory=list)


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


def quote(identifier: str) -> str:
    """Quote an SQL identifier (any text, including Vietnamese headers)."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ----------------------------------------------------------------------------- tables


def ensure_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Create raw.<source>, quarantine.<source> and meta tables; add newly configured columns."""
    for schema in ("raw", "quarantine", "meta"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(
        f"""create table if not exists {FILES_TABLE} (
            source varchar, partition_date date, file_path varchar, file_sha256 varchar,
            file_bytes bigint, status varchar, duplicate_of varchar, rows_read bigint,
            rows_loaded bigint, rows_quarantined bigint, extra_columns varchar,
            loaded_at timestamp)"""
    )
    raw_columns = {c.name: SQL_TYPES[c.type] for c in source.columns}
    raw_columns |= {name: "varchar" for name in source.constants}
    raw_columns |= LINEAGE_COLUMNS
    _create_or_extend(con, "raw", source.name, raw_columns)
    _create_or_extend(con, "quarantine", source.name, QUARANTINE_COLUMNS)


def _create_or_extend(con, schema: str, table: str, columns: dict[str, str]) -> None:
    body = ", ".join(f"{quote(name)} {sql_type}" for name, sql_type in columns.items())
    con.execute(f"create table if not exists {schema}.{quote(table)} ({body})")
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    for name, sql_type in columns.items():
        if name not in existing:
            con.execute(f"alter table {schema}.{quote(table)} add column {quote(name)} {sql_type}")


def refresh_reconciliation(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> None:
    """(Re)create quarantine.reconciliation: read = loaded + quarantined per source and day."""
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
                coalesce(loaded.n, 0) as rows_loaded, coalesce(bad.n, 0) as rows_quarantined
            from (select partition_date, sum(rows_read) as rows_read from {FILES_TABLE}
                  where source = {name} group by partition_date) as files
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
        select *, rows_read = rows_loaded + rows_quarantined as is_balanced
        from ({union}) as per_source"""
    )


# ----------------------------------------------------------------------------- loading


def landed_files(landing_dir: Path, source: Source, partition: date) -> list[Path]:
    """One source's files of one partition, shortest name first (the original before its copies)."""
    landing_dir = landing_dir.resolve()
    files = []
    for path in sorted(landing_dir.glob(source.file_glob(partition)), key=lambda p: (len(p.name), p.name)):
        resolved = path.resolve()
        if not resolved.is_relative_to(landing_dir):
            raise IngestError(f"source '{source.name}': {path} resolves outside {landing_dir}")
        relative = resolved.relative_to(landing_dir).as_posix()
        if path.is_file() and source.partition_of(relative) == partition:
            files.append(resolved)
    return files


def available_partitions(landing_dir: Path, source: Source) -> set[date]:
    """Every partition date for which this source has at least one landed file."""
    dates = set()
    for path in landing_dir.glob(source.file_glob()):
        partition = source.partition_of(path.relative_to(landing_dir).as_posix())
        if partition and path.is_file():
            dates.add(partition)
    return dates


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
    """Replace several partitions, one transaction each (a failure keeps the days before it)."""
    landing_dir = Path(landing_dir).resolve()
    loaded_at = loaded_at or datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    con.execute("set TimeZone = 'UTC'")
    ensure_tables(con, source)
    return [_load_one(con, source, landing_dir, partition, loaded_at) for partition in partitions]


def _load_one(
    con, source: Source, landing_dir: Path, partition: date, loaded_at: datetime
) -> PartitionResult:
    results: list[FileResult] = []
    con.execute("begin transaction")
    try:
        for table in (f"raw.{quote(source.name)}", f"quarantine.{quote(source.name)}"):
            con.execute(f"delete from {table} where _partition_date = ?", [partition])
        con.execute(
            f"delete from {FILES_TABLE} where source = ? and partition_date = ?",
            [source.name, partition],
        )
        # Duplicates are looked for within the partition: a re-delivered export carries the same
        # day in its name, while two header-only exports of different days are alike but not copies.
        seen: dict[str, str] = {}
        for path in landed_files(landing_dir, source, partition):
            relative = path.relative_to(landing_dir).as_posix()
            digest = _sha256(path)
            if digest in seen:
                result = FileResult(relative, digest, "duplicate", duplicate_of=seen[digest])
            else:
                result = _load_file(con, source, path, relative, digest, partition, loaded_at)
                seen[digest] = relative
            _record_file(con, source, partition, path, result, loaded_at)
            results.append(result)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return PartitionResult(source.name, partition, results)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record_file(con, source, partition, path, result: FileResult, loaded_at) -> None:
    con.execute(
        f"insert into {FILES_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            source.name,
            partition,
            result.file,
            result.sha256,
            path.stat().st_size,
            result.status,
            result.duplicate_of,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            json.dumps(result.extra_columns, ensure_ascii=False),
            loaded_at,
        ],
    )


def _load_file(con, source, path, relative, digest, partition, loaded_at) -> FileResult:
    result = FileResult(relative, digest, "loaded")
    if path.stat().st_size == 0:
        result.status = "empty"
        return result
    with _readable_copy(path, source) as (readable, encoding):
        if source.format == "csv":
            header = _stage_csv(con, source, readable, encoding, relative)
        elif source.format == "ndjson":
            header = _stage_ndjson(con, source, readable, relative)
        else:
            header = _stage_xlsx(con, source, readable, relative)
    if source.format != "ndjson":
        missing = [c.source for c in source.columns if c.source not in header]
        if missing:
            raise SchemaDriftError(
                f"source '{source.name}', file {relative}: column(s) {missing} not found in the "
                f"header; found {header}. Was the column renamed? Update sources.yml or the export."
            )
        mapped = {c.source for c in source.columns}
        result.extra_columns = [name for name in header if name not in mapped]
    else:
        _check_ndjson_keys(con, source, relative)

    counts = _insert_rows(con, source, relative, partition, loaded_at)
    result.rows_read, result.rows_loaded, result.rows_quarantined = counts
    return result


@contextmanager
def _readable_copy(path: Path, source: Source) -> Iterator[tuple[Path, str]]:
    """Yield (path, encoding) DuckDB can read: the file itself, or a streamed UTF-8 transcoding."""
    encoding = source.encoding.lower()
    if source.format == "xlsx" or (
        encoding in DUCKDB_ENCODINGS and (source.format == "csv" or encoding in ("utf-8", "utf8"))
    ):
        yield path, DUCKDB_ENCODINGS.get(encoding, "utf-8")
        return
    with tempfile.TemporaryDirectory(prefix="cx_ingest_") as tmp:
        target = Path(tmp) / path.name
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as src, target.open("w", encoding="utf-8") as dst:
                for block in iter(lambda: src.read(1 << 20), b""):
                    dst.write(decoder.decode(block))
                dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as error:
            raise IngestError(
                f"source '{source.name}', file {path.name}: not valid {source.encoding} "
                f"at byte {error.start}: {error.reason}"
            ) from error
        yield target, "utf-8"


def _csv_header(source: Source, path: Path, encoding: str, relative: str) -> list[str]:
    """The header names, read with Python's csv module (BOM and title lines skipped)."""
    encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        with path.open(encoding=encoding, newline="") as handle:
            for _ in range(source.skip_rows):
                handle.readline()
            header = next(csv.reader(handle, delimiter=source.delimiter), None)
    except UnicodeDecodeError as error:
        raise IngestError(
            f"source '{source.name}', file {relative}: not valid {source.encoding} "
            f"at byte {error.start} of the header ({error.reason}); is the encoding in sources.yml right?"
        ) from error
    if not header or not any(name.strip() for name in header):
        raise IngestError(f"source '{source.name}', file {relative}: no header line")
    if len(header) == 1 and len(source.columns) > 1:
        raise IngestError(
            f"source '{source.name}', file {relative}: the header has one column "
            f"{header[0][:80]!r} with delimiter {source.delimiter!r}; wrong delimiter?"
        )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise IngestError(f"source '{source.name}', file {relative}: repeated header names {duplicates}")
    return [unicodedata.normalize("NFC", name.strip()) for name in header]


def _stage_csv(con, source: Source, path: Path, encoding: str, relative: str) -> list[str]:
    """Read a CSV as text into temp table `staged` (+ _line); malformed lines into `rejected`."""
    header = _csv_header(source, path, encoding, relative)
    columns = "{" + ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header) + "}"
    options = (
        f"header = true, columns = {columns}, delim = {literal(source.delimiter)}, "
        f"quote = '\"', escape = '\"', skip = {source.skip_rows}, encoding = {literal(encoding)}"
    )
    _read_records(con, source, path, relative, options, first_data_line=source.skip_rows + 2)
    return header


def _stage_ndjson(con, source: Source, path: Path, relative: str) -> list[str]:
    """Read NDJSON as one text column per line (streamed by DuckDB's CSV reader: no quoting, a
    delimiter that valid JSON never contains); lines that are not a JSON object go to `rejected`."""
    options = "header = false, columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '', escape = ''"
    _read_records(con, source, path, relative, options, first_data_line=1)
    con.execute("delete from staged where line is null or trim(line, chr(13) || ' ') = ''")
    con.execute("update staged set line = ltrim(rtrim(line, chr(13)), chr(65279))")
    con.execute(
        "insert into rejected select _line, 'MALFORMED JSON: not a valid JSON object', line "
        "from staged where not coalesce(json_valid(line), false) or json_type(line) <> 'OBJECT'"
    )
    con.execute("delete from staged where _line in (select _line from rejected)")
    return []


def _read_records(con, source: Source, path: Path, relative: str, options: str, first_data_line: int) -> None:
    """read_csv into temp table `staged` with each record's line number; rejects into `rejected`."""
    try:
        con.execute(
            f"create or replace temp table staged_raw as select * from read_csv({literal(str(path))}, "
            f"{options}, auto_detect = false, null_padding = false, strict_mode = true, "
            "store_rejects = true, rejects_table = 'cx_rejects', rejects_scan = 'cx_reject_scans')"
        )
    except duckdb.Error as error:
        raise IngestError(f"source '{source.name}', file {relative}: cannot read: {error}") from error
    # Record numbers: DuckDB counts records from the top of the file (title lines and header
    # included). Good records keep file order in staged_raw (rowid follows insertion order; inside
    # a transaction it starts at a large offset, hence the row_number), so the n-th good record is
    # the n-th record number that is neither a header/title line nor rejected.
    con.execute(
        "create or replace temp table rejected as "  # DuckDB may report one line several times
        "select line as _line, min(error_type || ': ' || error_message) as reason, "
        "any_value(csv_line) as csv_line from cx_rejects group by line"
    )
    con.execute(
        f"""create or replace temp table staged as
        with good as (select row_number() over (order by rowid) as n, * from staged_raw),
        lines as (
            select row_number() over (order by line) as n, line as _line
            from range({first_data_line},
                       {first_data_line} + (select count(*) from staged_raw)
                       + (select count(*) from rejected)) as t(line)
            where line not in (select _line from rejected)
        )
        select lines._line, good.* exclude (n) from good inner join lines using (n)"""
    )
    con.execute("drop table if exists cx_rejects")
    con.execute("drop table if exists cx_reject_scans")


def _check_ndjson_keys(con, source: Source, relative: str) -> None:
    """Schema drift for JSON: a mapped path that no line of a non-empty file carries."""
    if not con.execute("select count(*) from staged").fetchone()[0]:
        return
    checks = ", ".join(f"bool_or(json_exists(line, {literal(_json_path(c.source))}))" for c in source.columns)
    present = con.execute(f"select {checks} from staged").fetchone()
    missing = [c.source for c, ok in zip(source.columns, present, strict=True) if not ok]
    if missing:
        raise SchemaDriftError(
            f"source '{source.name}', file {relative}: key(s) {missing} found in no line. "
            "Was the field renamed? Update sources.yml or the export."
        )


def _json_path(dotted: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in dotted.split("."))


def _stage_xlsx(con, source: Source, path: Path, relative: str) -> list[str]:
    """Read one sheet with openpyxl (streaming) into Arrow, then into DuckDB: no row inserts."""
    import openpyxl
    import pyarrow as pa

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for broken files
        raise IngestError(f"source '{source.name}', file {relative}: not a readable XLSX: {error}") from error
    try:
        if source.sheet not in workbook.sheetnames:
            raise SchemaDriftError(
                f"source '{source.name}', file {relative}: sheet {source.sheet!r} not found; "
                f"sheets: {workbook.sheetnames}"
            )
        rows = workbook[source.sheet].iter_rows(min_row=source.skip_rows + 1, values_only=True)
        header_row = next(rows, None) or ()
        header = [
            unicodedata.normalize("NFC", str(v).strip()) if v is not None else f"column_{i + 1}"
            for i, v in enumerate(header_row)
        ]
        columns: dict[str, list] = {"_line": [], **{name: [] for name in header}}
        for offset, row in enumerate(rows):
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                continue
            columns["_line"].append(source.skip_rows + 2 + offset)
            for index, name in enumerate(header):
                value = row[index] if index < len(row) else None
                columns[name].append(_cell_text(value))
    finally:
        workbook.close()
    table = pa.table(
        {
            name: pa.array(values, type=pa.int64() if name == "_line" else pa.string())
            for name, values in columns.items()
        }
    )
    con.register("xlsx_rows", table)
    con.execute("create or replace temp table staged as select * from xlsx_rows")
    con.unregister("xlsx_rows")
    con.execute("create or replace temp table rejected (_line bigint, reason varchar, csv_line varchar)")
    return header


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ----------------------------------------------------------------------------- parsing


def _raw_value(source: Source, column: Column) -> str:
    """SQL expression of a column's raw text in the `staged` temp table."""
    if source.format == "ndjson":
        return f"json_extract_string(line, {literal(_json_path(column.source))})"
    return quote(column.source)


def _parse_expression(source: Source, column: Column, raw: str) -> str:
    text = f"nullif(trim({raw}), '')"
    if column.type == "text":
        # NFC: Windows-1258 and macOS exports write Vietnamese letters as base + combining mark.
        return f"nfc_normalize({text})"
    if column.type == "boolean":
        return f"try_cast(lower({text}) as boolean)"
    if column.type in ("integer", "decimal"):
        number = f"regexp_replace({text}, '[^0-9,.\\-]', '', 'g')"
        if column.thousands:
            number = f"replace({number}, {literal(column.thousands)}, '')"
        if column.decimal_mark != ".":
            number = f"replace({number}, {literal(column.decimal_mark)}, '.')"
        return f"try_cast(nullif({number}, '') as {SQL_TYPES[column.type]})"
    if column.type == "date":
        return f"cast(try_strptime({text}, {literal(column.format or '%Y-%m-%d')}) as date)"
    # timestamp -> naive UTC
    zone = literal(source.timezone)
    if column.format in (None, "iso"):
        has_offset = f"regexp_matches({text}, '(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$')"
        return (
            f"case when {has_offset} then timezone('UTC', try_cast({text} as timestamptz)) "
            f"else timezone('UTC', timezone({zone}, try_cast({text} as timestamp))) end"
        )
    if "%z" in column.format or "%Z" in column.format:
        return f"timezone('UTC', try_strptime({text}, {literal(column.format)}))"
    return f"timezone('UTC', timezone({zone}, try_strptime({text}, {literal(column.format)})))"


def _parsed(name: str) -> str:
    """Name of a parsed column inside the `parsed` temp table (never clashes with a header)."""
    return quote("__parsed_" + name)


def _rule_checks(source: Source, column: Column) -> list[tuple[str, str, str]]:
    """(rule, condition that flags a bad row, reason expression) for one column, in order."""
    raw = f"nullif(trim({_raw_value(source, column)}), '')"
    parsed = _parsed(column.name)
    checks = []
    if column.required:
        checks.append(("missing_required", f"{raw} is null", literal("empty required value")))
    if column.type != "text":
        described = f"cannot parse as {column.type}" + (f" ({column.format})" if column.format else "")
        checks.append(
            (
                "unparseable",
                f"{raw} is not null and {parsed} is null",
                f"{literal(described + ': ')} || {raw}",
            )
        )
    if column.accepted_values:
        values = ", ".join(literal(v) for v in column.accepted_values)
        checks.append(
            (
                "unknown_value",
                f"{parsed} is not null and {parsed} not in ({values})",
                f"{literal('not an accepted value: ')} || {parsed}",
            )
        )
    if column.type in ("date", "timestamp"):  # a day of slack for clocks and time zones
        now = "timezone('UTC', now())"
        limit = f"cast({now} as date) + 1" if column.type == "date" else f"{now} + interval 1 day"
        checks.append(
            (
                "in_future",
                f"{parsed} > {limit}",
                f"cast({parsed} as varchar) || {literal(' is in the future')}",
            )
        )
    for bound, operator in ((column.min, "<"), (column.max, ">")):
        if bound is None:
            continue
        limit = _parsed(bound) if isinstance(bound, str) else str(bound)
        if column.type in ("date", "timestamp"):  # the bound is another column: an order of events
            word = "before" if operator == "<" else "after"
            rule, reason = (
                "out_of_order",
                (
                    f"{literal(f'{column.name} ')} || cast({parsed} as varchar) || "
                    f"{literal(f' is {word} {bound} ')} || cast({limit} as varchar)"
                ),
            )
        else:
            rule = "out_of_range"
            reason = f"cast({parsed} as varchar) || {literal(f' {operator} ')} || cast({limit} as varchar)"
        checks.append((rule, f"{parsed} {operator} {limit}", reason))
    return checks


def _first_failing(checks: list[tuple[str, str]]) -> str:
    """CASE expression returning the value of the first check whose condition holds."""
    if not checks:
        return "cast(null as varchar)"
    return "case " + " ".join(f"when {cond} then {value}" for cond, value in checks) + " end"


def _of_check(values: list[str]) -> str:
    """CASE expression picking the value of the failing check (__check, numbered from 1)."""
    if not values:
        return "cast(null as varchar)"
    return "case __check " + " ".join(f"when {n} then {v}" for n, v in enumerate(values, 1)) + " end"


def _insert_rows(con, source: Source, relative: str, partition: date, loaded_at) -> tuple[int, int, int]:
    """Parse `staged` into raw.<source> and quarantine.<source>; return (read, loaded, bad)."""
    parsed_columns = ", ".join(
        f"{_parse_expression(source, c, _raw_value(source, c))} as {_parsed(c.name)}" for c in source.columns
    )
    checks = [(c.name, *check) for c in source.columns for check in _rule_checks(source, c)]
    # The number of the first failing check, evaluated once per row; rule, column and reason of
    # the row follow from it (only the failing check's reason is built).
    failing = _first_failing([(cond, str(n)) for n, (_, _, cond, _) in enumerate(checks, 1)])
    rule = _of_check([literal(rule) for _, rule, _, _ in checks])
    column = _of_check([literal(name) for name, _, _, _ in checks])
    reason = _of_check([text for _, _, _, text in checks])
    if source.format == "ndjson":
        raw_record = "line"
    else:
        fields = ", ".join(f"{quote(c.source)} := {quote(c.source)}" for c in source.columns)
        raw_record = f"cast(to_json(struct_pack({fields})) as varchar)"
    # A good row that repeats an earlier good row of the same file is a duplicate: kept aside, the
    # first one loads. With a version column, the same key and version is a repeat (a later
    # version is an update); without one, the row order is the version, so only an identical row is.
    if source.version_column:
        key = [*source.primary_key, source.version_column]
        column_sql, reason_sql = literal(", ".join(key)), literal("same " + " and ".join(key) + " as line ")
    else:
        key = [c.name for c in source.columns]
        column_sql, reason_sql = "cast(null as varchar)", literal("identical to line ")
    repeated = "__row_rule is null and __first_line < _line"
    con.execute(
        f"""create or replace temp table parsed as
        with typed as (select *, {raw_record} as __raw_record, {parsed_columns} from staged),
        checked as (select *, {failing} as __check from typed),
        ruled as (
            select *, {rule} as __row_rule, {column} as __row_column, {reason} as __row_reason,
                min(case when __check is null then _line end)
                    over (partition by {", ".join(_parsed(k) for k in key)}) as __first_line
            from checked
        )
        select *,
            case when {repeated} then 'duplicate_row' else __row_rule end as __rule,
            case when {repeated} then {column_sql} else __row_column end as __column,
            case when {repeated} then {reason_sql} || __first_line else __row_reason end as __reason
        from ruled"""
    )

    partition_sql = f"cast({literal(partition.isoformat())} as date)"
    loaded_sql = f"cast({literal(loaded_at.isoformat())} as timestamp)"
    file_sql = literal(relative)
    targets = [c.name for c in source.columns] + list(source.constants) + list(LINEAGE_COLUMNS)
    values = [_parsed(c.name) for c in source.columns]
    values += [literal(v) for v in source.constants.values()]
    values += [file_sql, "_line", partition_sql, loaded_sql]
    con.execute(
        f"insert into raw.{quote(source.name)} ({', '.join(quote(t) for t in targets)}) "
        f"select {', '.join(values)} from parsed where __rule is null order by _line"
    )
    con.execute(
        f"insert into quarantine.{quote(source.name)} "
        f"({', '.join(quote(c) for c in QUARANTINE_COLUMNS)}) "
        f"select {partition_sql}, {file_sql}, _line, __rule, __column, __reason, __raw_record, "
        f"{loaded_sql} from parsed where __rule is not null "
        f"union all select {partition_sql}, {file_sql}, _line, 'malformed_line', null, reason, "
        f"csv_line, {loaded_sql} from rejected"
    )
    good, bad = con.execute(
        "select count(*) filter (where __rule is null), count(*) filter (where __rule is not null) "
        "from parsed"
    ).fetchone()
    malformed = con.execute("select count(*) from rejected").fetchone()[0]
    return good + bad + malformed, good, bad + malformed
