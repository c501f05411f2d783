"""Load a run's exports of one source into DuckDB, set-based, with lineage and quarantine.

For all landed files of the run's partitions together:
1. read them with DuckDB's own readers into a temporary table of text columns: one read_csv
   over every file that shares a header (NDJSON as one text column per line), with each record's
   file and the physical line where it starts; malformed records are captured, not skipped. A file
   with mixed or CR line ends, a BOM inside or blank lines is read from a normalised copy; a
   record that a stray quote stretched over many lines is cut at its first line and the file
   read again from the next (_recover); every line is loaded, quarantined or counted as skipped;
2. check each file's header against the configuration (a missing mapped column stops the source
   with a SchemaDriftError naming the file and column; extra columns are accepted and recorded);
3. parse every mapped column to its type and find the first row-level rule each row breaks, in
   one pass; good rows repeating an earlier row of their file are repeats;
4. in one transaction, replace the partitions: delete their rows from raw.<source>,
   quarantine.<source> and meta.ingested_files, then insert good rows into raw.<source> and
   bad rows (with the rule, column, reason, file and line) into quarantine.<source>.

A run loads all of its partitions or none. A file whose bytes were already loaded for the same
day (the same export delivered twice) is recorded with status 'duplicate' and not loaded again.
Re-loading a partition gives the same tables.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from orchestration.lib.config import FORMAT_DIRECTIVES, NEGATIVE_FORMS, Column, Source

# Encodings DuckDB reads itself; any other (UTF-16 too) is transcoded to UTF-8 by _readable.
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "latin-1": "latin-1"}
BOM = b"\xef\xbb\xbf"
# What a blank CSV line becomes in a normalised copy (the control character "record separator"):
# DuckDB skips blank lines but counts them in its line numbers; as a line of its own it is a
# malformed record that keeps its number, and is then counted as a skipped line.
BLANK_LINE = "\x1e"
# DuckDB keeps at most this many bytes of a malformed record's text (rejects table, csv_line);
# a text this long (less the line feed _read_group trims) may have been cut.
REJECTED_LINE_BYTES = 10_000
SQL_TYPES = {
    "text": "varchar",
    "integer": "bigint",
    "decimal": "decimal(18, 6)",  # see DECIMAL_PLACES
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
# A run's files are read in batches of about this many bytes (whole files), one transaction.
BATCH_BYTES = int(os.environ.get("CX_INGEST_BATCH_BYTES", 256 * 2**20))


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
    lines_read: int | None = None
    lines_loaded: int | None = None
    lines_quarantined: int | None = None
    lines_skipped: int | None = None


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


@dataclass
class _Landed:
    """A landed file of the run: where it is, its partition, and what became of it."""

    path: Path
    partition: date
    result: FileResult
    size: int
    first_line: int = 1  # the line number of its first data record
    readable: str = ""  # the file DuckDB reads: the export itself or a normalised copy
    read_as: tuple = ()  # (header, encoding, quoted): the files read by one read_csv
    text: _Text | None = None  # what the scan of its bytes found (None for XLSX)
    skipped_lines: int = 0  # header, title and blank lines


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


def _plan(landing_dir: Path, source: Source, partitions: list[date]) -> list[_Landed]:
    """Every landed file of the partitions; copies of an earlier file and empty files are marked.

    Duplicates are looked for within a partition: a re-delivered export carries the same day in
    its name, while two header-only exports of different days are alike but not copies."""
    files = []
    for partition in partitions:
        seen: dict[str, str] = {}
        for path in landed_files(landing_dir, source, partition):
            relative = path.relative_to(landing_dir).as_posix()
            result, size = FileResult(relative, _sha256(path), "loaded"), path.stat().st_size
            if result.sha256 in seen:
                result.status, result.duplicate_of = "duplicate", seen[result.sha256]
            else:
                seen[result.sha256] = relative
                if size == 0:
                    result.status = "empty"
            files.append(_Landed(path, partition, result, size))
    return files


def _batches(files: list[_Landed]) -> Iterator[list[_Landed]]:
    """Whole partitions, in order, about BATCH_BYTES at a time: the temp tables of a batch stay
    small, and the files of one export day are checked together (conflicting copies, _check)."""
    batch: list[_Landed] = []
    size = 0
    for landed in files:
        if batch and size + landed.size > BATCH_BYTES and landed.partition != batch[-1].partition:
            yield batch
            batch, size = [], 0
        batch.append(landed)
        size += landed.size
    if batch:
        yield batch


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ----------------------------------------------------------------------------- staging


def _stage(con, source: Source, files: list[_Landed], tmp: Path) -> None:
    """Read every file into temp table `staged` (text columns, _source_file, _partition_date,
    _line: the physical line where the record starts, __breaks: the line breaks inside it);
    malformed records into `rejected`. One DuckDB scan per group of files that share a header,
    so a run's hundreds of daily files cost one read, not hundreds."""
    kept = ["line"] if source.format == "ndjson" else list(dict.fromkeys(c.source for c in source.columns))
    text_columns = ", ".join(f"{quote(name)} varchar" for name in kept)
    con.execute(
        "create or replace temp table staged_raw "
        f"(__file varchar, __line bigint, __breaks bigint default 0, {text_columns})"
    )
    con.execute(
        "create or replace temp table rejected (_source_file varchar, _partition_date date, _line bigint, "
        "reason varchar, csv_line varchar, _lines bigint default 1)"
    )
    con.execute(
        "create or replace temp table run_files "
        "(__file varchar, _source_file varchar, _partition_date date, first_line bigint)"
    )
    groups: dict[tuple, list[str]] = {}
    for number, landed in enumerate(files):
        relative = landed.result.file
        if source.format == "xlsx":
            header = _stage_xlsx(con, source, landed, kept)
            landed.readable = str(landed.path)
        else:
            target = tmp / f"{number}_{landed.path.name}"
            readable, encoding, landed.text = _readable(landed.path, source, target, relative)
            landed.readable = str(readable)
            if source.format == "csv":
                header = _csv_header(source, readable, encoding, relative)
                landed.first_line = source.skip_rows + 2
                landed.skipped_lines = source.skip_rows + 1
            else:
                header = []
            landed.read_as = (tuple(header), encoding, source.format == "csv" and landed.text.quotes)
            groups.setdefault(landed.read_as, []).append(landed.readable)
        if source.format != "ndjson":
            missing = [c.source for c in source.columns if c.source not in header]
            if missing:
                raise SchemaDriftError(
                    f"source '{source.name}', file {relative}: column(s) {missing} not found in the "
                    f"header; found {header}. Was the column renamed? Update sources.yml or the export."
                )
            mapped = {c.source for c in source.columns}
            landed.result.extra_columns = [name for name in header if name not in mapped]
        con.execute(
            "insert into run_files values (?, ?, ?, ?)",
            [landed.readable, relative, landed.partition, landed.first_line],
        )
    names = {landed.readable: landed.result.file for landed in files}
    for key, paths in groups.items():
        _read_group(con, source, paths, key, kept, names)
    if source.format == "ndjson":
        blank = _stage_ndjson(con, source, _numbered(kept))
        for landed in files:
            landed.skipped_lines = blank.get(landed.result.file, 0)
        return
    cuts = _recover(con, source, files, kept, tmp) if source.format == "csv" else []
    con.execute(f"create or replace temp table staged as {_numbered(kept)}")
    if source.format == "csv":
        _shift_lines(con)
        _skipped_and_cut_lines(con, files, cuts)
        _clean_values(con, files, kept)


@dataclass
class _Text:
    """What one pass over the bytes of a text export found."""

    lines: int = 0  # physical lines: LF, CRLF and CR each end one; so does the end of the file
    quotes: bool = False  # a quote character: a record may span lines
    nul: bool = False  # a NUL byte (in NDJSON also its escape \u0000)
    separators: bool = False  # BLANK_LINE characters (in a normalised copy: its blank lines)
    rewrite: bool = False  # mixed or CR line ends, a BOM after the start, a blank CSV line


def _readable(path: Path, source: Source, target: Path, relative: str) -> tuple[Path, str, _Text]:
    """(path, encoding, what its bytes hold) of the file DuckDB reads: the export itself, or a copy
    written by streaming when DuckDB cannot read its encoding (transcoded to UTF-8) or its text
    needs normalising: every line end LF, no BOM, each blank CSV line BLANK_LINE. A copy has the
    export's lines, so line numbers are the export's. Bytes are scanned with bytes methods, a
    block of 1 MB at a time: no Python loop over lines."""
    encoding, csv_format = source.encoding.lower(), source.format == "csv"
    native = DUCKDB_ENCODINGS.get(encoding) if csv_format or encoding in ("utf-8", "utf8") else None
    utf8 = native in (None, "utf-8")
    try:
        if native:
            text = _scan(_blocks(path), csv_format, utf8)
            if not text.rewrite:
                return path, native, text
        with target.open("wb") as handle:
            pieces = _normalised(_blocks(path, None if native else encoding), csv_format, utf8)
            text = _scan(_written(pieces, handle), csv_format, utf8)
    except UnicodeDecodeError as error:
        raise IngestError(
            f"source '{source.name}', file {relative}, line {error.line}: not valid {source.encoding} "
            f"at byte {error.start}: {error.reason}"
        ) from error
    except OSError as error:
        raise IngestError(f"source '{source.name}', file {relative}: cannot read: {error}") from error
    return target, native or "utf-8", text


def _blocks(path: Path, codec: str | None = None) -> Iterator[bytes]:
    """The file's bytes, 1 MB at a time; decoded from `codec` and encoded as UTF-8 if given. A
    decoding error carries the byte offset in the file (start) and the line (line)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict") if codec else None
    offset = lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if decoder:
                state = decoder.getstate()
                try:
                    decoded = decoder.decode(block)
                except UnicodeDecodeError as error:
                    pending = len(state[0])
                    before = codecs.getincrementaldecoder(codec)(errors="ignore")
                    before.setstate(state)
                    error.line = lines + before.decode(block[: max(error.start - pending, 0)]).count("\n") + 1
                    error.start += offset - pending
                    raise
                lines += decoded.count("\n")
                offset += len(block)
                block = decoded.encode("utf-8")
            yield block
        if decoder:
            yield decoder.decode(b"", final=True).encode("utf-8")


def _scan(blocks: Iterator[bytes], csv_format: bool, utf8: bool) -> _Text:
    """What a text export holds, from its blocks: searches for one byte (memchr) on every block,
    for several bytes only where one of them occurs, and once a copy is due no more of them."""
    text = _Text()
    lf = cr = crlf = 0
    tail = b"\n"  # the last bytes of the block before: the file starts as a line does
    for number, block in enumerate(blocks):
        if number == 0 and utf8 and block.startswith(BOM):
            block = block[len(BOM) :]
        edge = tail + block[:8]  # what a pattern across two blocks would be in
        lf += block.count(b"\n")
        with_cr = b"\r" in block
        if with_cr or tail.endswith(b"\r"):
            cr += block.count(b"\r")
            crlf += block.count(b"\r\n") + (tail.endswith(b"\r") and block.startswith(b"\n"))
        text.quotes = text.quotes or b'"' in block
        text.separators = text.separators or BLANK_LINE.encode() in block
        escaped_nul = not csv_format and (b"\\u0000" in edge or (b"\\" in block and b"\\u0000" in block))
        text.nul = text.nul or b"\x00" in block or escaped_nul
        if not text.rewrite:
            inner_bom = utf8 and (BOM in edge or (b"\xef" in block and BOM in block))
            blank = csv_format and (
                b"\n\n" in edge or b"\n\n" in block or (with_cr and (b"\n\r\n" in edge or b"\n\r\n" in block))
            )
            text.rewrite = inner_bom or blank
        tail = (tail + block[-8:])[-8:]
    text.lines = lf + cr - crlf + (tail[-1:] not in (b"\n", b"\r"))
    text.rewrite = text.rewrite or cr != crlf or 0 < crlf != lf
    return text


def _normalised(blocks: Iterator[bytes], csv_format: bool, utf8: bool) -> Iterator[bytes]:
    """The text in pieces of whole lines (no CRLF or BOM split between two), normalised."""
    carry = b""
    for block in blocks:
        data = carry + block
        end = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1))  # a last CR may start a CRLF
        carry = data[end + 1 :]
        yield _normalise(data[: end + 1], csv_format, utf8)
    yield _normalise(carry, csv_format, utf8)


def _normalise(lines: bytes, csv_format: bool, utf8: bool) -> bytes:
    lines = lines.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if utf8:
        lines = lines.replace(BOM, b"")
    if csv_format:  # the piece starts a line; the second pass marks every other of 3+ line ends
        mark = b"\n" + BLANK_LINE.encode() + b"\n"
        lines = (b"\n" + lines).replace(b"\n\n", mark).replace(b"\n\n", mark)[1:]
    return lines


def _written(pieces: Iterator[bytes], handle) -> Iterator[bytes]:
    for piece in pieces:
        handle.write(piece)
        yield piece


def _csv_header(source: Source, path: Path, encoding: str, relative: str) -> list[str]:
    """The header names, read with Python's csv module (BOM and title lines skipped); an unnamed
    column (a trailing delimiter) is named by its position, as in XLSX."""
    encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    where = f"source '{source.name}', file {relative}, line {source.skip_rows + 1}"
    try:
        with path.open(encoding=encoding, newline="") as handle:
            for _ in range(source.skip_rows):
                handle.readline()
            header = next(csv.reader(handle, delimiter=source.delimiter), None)
    except UnicodeDecodeError as error:
        raise IngestError(
            f"{where}: not valid {source.encoding} at byte {error.start} of the header "
            f"({error.reason}); is the encoding in sources.yml right?"
        ) from error
    except csv.Error as error:  # a quote that does not close within the field size limit
        raise IngestError(f"{where}: cannot read the header: {error}") from error
    if not header or not any(name.strip() for name in header):
        raise IngestError(f"{where}: no header line")
    if len(header) == 1 and len(source.columns) > 1:
        raise IngestError(
            f"{where}: the header has one column "
            f"{header[0][:80]!r} with delimiter {source.delimiter!r}; wrong delimiter?"
        )
    names = [unicodedata.normalize("NFC", name.strip()) or f"column_{i + 1}" for i, name in enumerate(header)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise IngestError(f"{where}: repeated header names {duplicates}")
    return names


def _read_group(
    con, source: Source, paths: list[str], key: tuple, kept: list[str], names: dict[str, str]
) -> None:
    """One read_csv over a group of files into staged_raw (file order, then record order kept),
    with the line breaks inside each record (__breaks, counted where the files have quotes: a
    break in any column, mapped or not, moves the lines below); malformed records, with DuckDB's
    line numbers, into `rejected`. Nothing is skipped silently."""
    header, encoding, quoted = key
    if source.format == "ndjson":  # one text column per line: no quoting, a delimiter JSON never has
        options = "header = false, columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '', escape = ''"
    else:
        columns = "{" + ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header) + "}"
        options = (
            f"header = true, columns = {columns}, delim = {literal(source.delimiter)}, "
            f"quote = '\"', escape = '\"', skip = {source.skip_rows}, encoding = {literal(encoding)}"
        )
    selected = ", ".join(quote(name) for name in kept)
    text = "concat(" + ", ".join(quote(name) for name in header) + ")"
    breaks = f"length({text}) - length(replace({text}, chr(10), ''))" if quoted else "0"

    def scan(files: list[str]) -> str:
        return (
            f"read_csv([{', '.join(literal(p) for p in files)}], {options}, filename = '__file', "
            "auto_detect = false, null_padding = false, strict_mode = true, "
            "store_rejects = true, rejects_table = 'cx_rejects', rejects_scan = 'cx_reject_scans')"
        )

    con.execute("drop table if exists cx_rejects")
    con.execute("drop table if exists cx_reject_scans")
    try:
        con.execute(
            f"insert into staged_raw (__file, __breaks, {selected}) "
            f"select __file, {breaks}, {selected} from {scan(paths)}"
        )
    except duckdb.Error as error:
        raise _read_error(con, source, paths, scan, names, error) from error
    con.execute(  # DuckDB may report one record several times; in a CRLF file its text starts with LF
        """insert into rejected (_source_file, _partition_date, _line, reason, csv_line)
        select f._source_file, f._partition_date, r.line, min(r.error_type || ': ' || r.error_message),
            ltrim(any_value(r.csv_line), chr(10))
        from cx_rejects as r
        inner join cx_reject_scans as s using (scan_id, file_id)
        inner join run_files as f on f.__file = s.file_path
        group by all"""
    )
    con.execute("drop table cx_rejects")
    con.execute("drop table cx_reject_scans")


def _read_error(con, source: Source, paths: list[str], scan, names: dict[str, str], error) -> IngestError:
    """An error naming the source, the file and, where DuckDB gives it, the line. The failed read
    aborted the run's transaction, so the file is found by reading each of the group's files on a
    cursor (a connection with a transaction of its own)."""
    failed, cause = paths, error
    if len(paths) > 1:
        probe = con.cursor()
        try:
            for path in paths:
                try:
                    probe.execute(f"select count(*) from (select * from {scan([path])})")
                except duckdb.Error as alone:
                    failed, cause = [path], alone
                    break
        finally:
            probe.close()
    message = str(cause)
    for path in paths:
        message = message.replace(path, names[path])
    line = re.search(r"\bline:? (\d+)", message, re.IGNORECASE)
    where = f", line {line.group(1)}" if line else ""
    files = ", ".join(names[path] for path in failed)
    return IngestError(f"source '{source.name}', file {files}{where}: cannot read: {message}")


def _recover(con, source: Source, files: list[_Landed], kept: list[str], tmp: Path) -> list[tuple]:
    """Cut the records that a stray quote stretched, and read their files again after the cut.

    A quote that never closes makes DuckDB read the lines after it as one quoted field: to the end
    of the file (one malformed record) or to the next quote. A record that spans more lines than
    max_record_lines, or a malformed one that spans more than one, is cut: its first line (where
    the quote opened) is quarantined, a copy of the file holds BLANK_LINE there, and the copy is
    read again, until no file has such a record. Only damaged files are read again and walked
    record by record. Returns the cut lines as rows of `rejected`."""
    cuts: list[tuple] = []
    names = {landed.readable: landed.result.file for landed in files}
    as_read: set[str] = set()  # files with nothing to cut after all: kept as DuckDB read them
    while True:
        damaged = {
            names[path]
            for (path,) in con.execute(
                "select distinct __file from staged_raw where __breaks >= ?", [source.max_record_lines]
            ).fetchall()
        }
        damaged |= {
            name
            for (name,) in con.execute(
                "select distinct _source_file from rejected "
                "where contains(rtrim(csv_line, chr(10)), chr(10)) or strlen(csv_line) >= ?",
                [REJECTED_LINE_BYTES - 1],
            ).fetchall()
        }
        again = [landed for landed in files if landed.result.file in damaged - as_read]
        for landed in list(again):
            name = landed.result.file
            breaks = [
                n
                for (n,) in con.execute(
                    "select __breaks from staged_raw where __file = ? order by rowid", [landed.readable]
                ).fetchall()
            ]
            malformed = {
                line: (reason, inside, truncated)
                for line, reason, inside, truncated in con.execute(
                    "select _line, reason, length(rtrim(csv_line, chr(10))) "
                    "- length(replace(rtrim(csv_line, chr(10)), chr(10), '')), "
                    "strlen(csv_line) >= ? from rejected where _source_file = ?",
                    [REJECTED_LINE_BYTES - 1, name],
                ).fetchall()
            }
            lines = _lines_to_cut(landed.first_line, breaks, malformed, source.max_record_lines)
            if not lines:  # DuckDB numbered its records otherwise than walked: its reading stands
                as_read.add(name)
                again.remove(landed)
                continue
            copy = tmp / f"cut{len(cuts)}_{landed.path.name}"
            texts = _cut(Path(landed.readable), copy, [line for line, _ in lines], landed.read_as[1])
            for (line, reason), text in zip(lines, texts, strict=True):
                cuts.append((name, landed.partition, line, reason, text))
            con.execute("delete from staged_raw where __file = ?", [landed.readable])
            con.execute("delete from rejected where _source_file = ?", [name])
            con.execute("update run_files set __file = ? where _source_file = ?", [str(copy), name])
            del names[landed.readable]
            landed.readable = str(copy)
            names[landed.readable] = name
        if not again:
            return cuts
        groups: dict[tuple, list[str]] = {}
        for landed in again:
            groups.setdefault(landed.read_as, []).append(landed.readable)
        for key, paths in groups.items():
            _read_group(con, source, paths, key, kept, names)


def _lines_to_cut(
    first_line: int, breaks: list[int], malformed: dict[int, tuple], max_lines: int
) -> list[tuple[int, str]]:
    """(line, reason) of each record to cut in one file, walking its records in DuckDB's order.
    DuckDB numbers records as if each were one line, so the record it numbers n starts on line n
    plus the breaks inside the records above it. Below a malformed record whose end is unknown
    (DuckDB keeps only its first REJECTED_LINE_BYTES) no line is known until the next reading."""
    cut, good, shift = [], iter(breaks), 0
    for number in range(first_line, first_line + len(breaks) + len(malformed)):
        line = number + shift
        if number in malformed:
            reason, inside, truncated = malformed[number]
            if truncated:
                cut.append((line, f"{reason} (more than {REJECTED_LINE_BYTES} bytes from this line)"))
                break
            if inside:
                cut.append((line, f"{reason} (a record from this line to line {line + inside})"))
        else:
            inside = next(good, 0)
            if inside >= max_lines:
                cut.append(
                    (
                        line,
                        f"UNCLOSED QUOTE: a quoted field opened on this line runs to line {line + inside}, "
                        f"more than max_record_lines ({max_lines})",
                    )
                )
        shift += inside
    return [(line, f"{reason}; read again from line {line + 1}") for line, reason in cut]


def _cut(readable: Path, target: Path, lines: list[int], encoding: str) -> list[str]:
    """Copy a file with the given lines replaced by BLANK_LINE (line ends kept); their text."""
    data = readable.read_bytes().split(b"\n")
    texts = []
    for line in lines:
        text = data[line - 1]
        end = b"\r" if text.endswith(b"\r") else b""
        texts.append(text.removesuffix(end)[:REJECTED_LINE_BYTES].decode(encoding, errors="replace"))
        data[line - 1] = BLANK_LINE.encode() + end
    target.write_bytes(b"\n".join(data))
    return texts


def _numbered(kept: list[str]) -> str:
    """SELECT of staged_raw with _source_file, _partition_date and each record's line number as
    DuckDB counts lines: a record is one line, however many it spans (_shift_lines moves them).

    DuckDB numbers rejected records from the top of the file (title lines and header included).
    Good records keep file order in staged_raw, so the n-th good record of a file is on its
    first data line + n - 1, or, in a file with rejected records, on its n-th line that is not
    rejected. (XLSX rows carry their line already.) A CSV has no blank lines here: they hold
    BLANK_LINE, a malformed record of its own."""
    columns = ", ".join(f"s.{quote(name)}" for name in kept)
    return f"""with bounds as (
            select __file, min(rowid) as first_rowid, count(*) as good from staged_raw group by __file
        ),
        rejected_files as (
            select f.__file, f._source_file, f.first_line, count(*) as bad
            from rejected as r inner join run_files as f using (_source_file)
            group by all
        ),
        candidate_lines as (
            select r.__file, r._source_file,
                unnest(range(r.first_line, r.first_line + coalesce(b.good, 0) + r.bad)) as line
            from rejected_files as r left join bounds as b using (__file)
        ),
        good_lines as (
            select c.__file, row_number() over (partition by c.__file order by c.line) as n, c.line
            from candidate_lines as c
            anti join rejected as r on r._source_file = c._source_file and r._line = c.line
        )
        select f._source_file, f._partition_date,
            coalesce(s.__line, g.line, f.first_line + s.rowid - b.first_rowid) as _line, s.__breaks, {columns}
        from staged_raw as s
        inner join bounds as b on b.__file = s.__file
        inner join run_files as f on f.__file = s.__file
        left join good_lines as g on g.__file = s.__file and g.n = s.rowid - b.first_rowid + 1"""


def _shift_lines(con) -> None:
    """From DuckDB's line numbers to physical lines: every record and malformed line of a file
    moves down by the line breaks inside the file's records above it (one window over both, in
    DuckDB's numbering, where they never share a number). Only files with records that span
    lines are touched."""
    if not con.execute("select count(*) from staged where __breaks > 0").fetchone()[0]:
        return
    con.execute(
        """create or replace temp table moved as
        select _source_file, _line, is_rejected, sum(__breaks) over (
                partition by _source_file order by _line rows between unbounded preceding and 1 preceding
            ) as breaks
        from (
            select _source_file, _line, __breaks, false as is_rejected from staged
            union all select _source_file, _line, 0, true from rejected
        ) as records
        where _source_file in (select _source_file from staged where __breaks > 0)"""
    )
    for table, rejected in (("staged", False), ("rejected", True)):
        con.execute(
            f"""update {table} set _line = {table}._line + moved.breaks from moved
            where moved.is_rejected = {rejected} and moved.breaks > 0
                and {table}._source_file = moved._source_file and {table}._line = moved._line"""
        )
    con.execute("drop table moved")


def _skipped_and_cut_lines(con, files: list[_Landed], cuts: list[tuple]) -> None:
    """Blank lines (BLANK_LINE records) are skipped lines, not quarantined ones; a cut line, which
    holds BLANK_LINE in the copy read last, goes to `rejected` with its own text and reason."""
    blank = dict(
        con.execute(
            "select _source_file, count(*) from rejected where csv_line = ? group by all", [BLANK_LINE]
        ).fetchall()
    )
    con.execute("delete from rejected where csv_line = ?", [BLANK_LINE])
    for landed in files:
        name = landed.result.file
        landed.skipped_lines += blank.get(name, 0) - sum(cut[0] == name for cut in cuts)
    if cuts:
        con.executemany(
            "insert into rejected (_source_file, _partition_date, _line, reason, csv_line) "
            "values (?, ?, ?, ?, ?)",
            cuts,
        )


def _clean_values(con, files: list[_Landed], kept: list[str]) -> None:
    """In a normalised copy a blank line inside a quoted field holds BLANK_LINE: removed again.
    A record with a NUL byte in a mapped value goes to `rejected`: a NUL is no text but the mark
    of a damaged file (zeros written by a crash or a transfer), and a key or amount around it
    cannot be trusted (DECISIONLOG, "NUL bytes and BOMs")."""
    if any(landed.text.separators for landed in files):
        sets = ", ".join(f"{quote(n)} = replace({quote(n)}, {literal(BLANK_LINE)}, '')" for n in kept)
        con.execute(f"update staged set {sets} where __breaks > 0")
    if any(landed.text.nul for landed in files):
        found = " or ".join(f"contains({quote(name)}, chr(0))" for name in kept)
        column = " ".join(f"when contains({quote(name)}, chr(0)) then {literal(repr(name))}" for name in kept)
        fields = ", ".join(f"{quote(name)} := {quote(name)}" for name in kept)
        con.execute(
            f"""insert into rejected
            select _source_file, _partition_date, _line,
                'NUL BYTE: a NUL byte (0x00) in column ' || case {column} end || '; a damaged export?',
                cast(to_json(struct_pack({fields})) as varchar), 1 + __breaks
            from staged where {found}"""
        )
        con.execute(f"delete from staged where {found}")


def _stage_ndjson(con, source: Source, numbered: str) -> dict[str, int]:
    """staged = the numbered lines without blank ones, each parsed once: __values (the mapped
    paths' text) and __present (whether each path exists). Lines that are not a JSON object, or
    hold a NUL (a byte or the escape \\u0000), go to `rejected`; a mapped path that no line of a
    file carries is schema drift (a renamed field). Returns the blank lines of each file."""
    paths = "[" + ", ".join(literal(_json_path(c.source)) for c in source.columns) + "]"
    nul = "contains(line, chr(0)) or contains(line, '\\u0000')"
    con.execute(
        f"""create or replace temp table staged as
        select *,
            case when __object then json_extract_string(line, {paths}) end as __values,
            case when __object then json_exists(line, {paths}) end as __present
        from (
            select *, coalesce(trim(line, chr(13) || ' ') = '', true) as __blank,
                case when {nul} then false when json_valid(line) then json_type(line) = 'OBJECT' else false
                end as __object
            from (
                select * replace (ltrim(rtrim(line, chr(13)), chr(65279)) as line) from ({numbered})
            ) as lines
        ) as objects"""
    )
    blank = dict(
        con.execute("select _source_file, count(*) from staged where __blank group by all").fetchall()
    )
    con.execute("delete from staged where __blank")
    con.execute(
        f"""insert into rejected (_source_file, _partition_date, _line, reason, csv_line)
        select _source_file, _partition_date, _line,
            case when {nul} then 'NUL BYTE: a NUL (0x00) in the record; a damaged export?'
            else 'MALFORMED JSON: not a valid JSON object' end,
            line
        from staged where not __object"""
    )
    con.execute("delete from staged where not __object")
    present = ", ".join(f"bool_or(__present[{n}])" for n in range(1, len(source.columns) + 1))
    for file, *found in con.execute(
        f"select _source_file, {present} from staged group by _source_file order by _source_file"
    ).fetchall():
        missing = [c.source for c, ok in zip(source.columns, found, strict=True) if not ok]
        if missing:
            raise SchemaDriftError(
                f"source '{source.name}', file {file}: key(s) {missing} found in no line. "
                "Was the field renamed? Update sources.yml or the export."
            )
    return blank


def _json_path(dotted: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in dotted.split("."))


def _stage_xlsx(con, source: Source, landed: _Landed, kept: list[str]) -> list[str]:
    """Read one sheet with calamine (row by row) into Arrow, then into staged_raw: no row inserts."""
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    relative = landed.result.file
    try:
        workbook = CalamineWorkbook.from_path(str(landed.path))
    except Exception as error:  # calamine raises several types for broken files
        raise IngestError(f"source '{source.name}', file {relative}: not a readable XLSX: {error}") from error
    # Matched after NFC normalisation, like headers: macOS writes a name typed as "Đơn hàng" decomposed.
    wanted = unicodedata.normalize("NFC", source.sheet)
    sheet = next((n for n in workbook.sheet_names if unicodedata.normalize("NFC", n) == wanted), None)
    if sheet is None:
        raise SchemaDriftError(
            f"source '{source.name}', file {relative}: sheet {source.sheet!r} not found; "
            f"sheets: {workbook.sheet_names}"
        )
    try:
        rows = workbook.get_sheet_by_name(sheet).iter_rows()  # from row 1, empty cells ""
        for _ in range(source.skip_rows):
            next(rows, None)
        header = [
            unicodedata.normalize("NFC", str(v).strip()) if v not in (None, "") else f"column_{i + 1}"
            for i, v in enumerate(next(rows, None) or ())
        ]
        positions = {name: header.index(name) for name in kept if name in header}
        mapped = {c.source: c for c in reversed(source.columns)}
        columns: dict[str, list] = {"__line": [], **{name: [] for name in positions}}
        for offset, row in enumerate(rows):
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            columns["__line"].append(source.skip_rows + 2 + offset)
            for name, index in positions.items():
                columns[name].append(_cell_text(row[index], mapped[name]) if index < len(row) else None)
    except Exception as error:
        raise IngestError(f"source '{source.name}', file {relative}: not a readable XLSX: {error}") from error
    table = pa.table(
        {
            name: pa.array(values, type=pa.int64() if name == "__line" else pa.string())
            for name, values in columns.items()
        }
    )
    names = ", ".join(quote(name) for name in columns)
    con.register("xlsx_rows", table)
    con.execute(
        f"insert into staged_raw (__file, {names}) select {literal(str(landed.path))}, {names} from xlsx_rows"
    )
    con.unregister("xlsx_rows")
    return header


def _cell_text(value, column: Column | None) -> str | None:
    """A cell as the text the column's parser reads. Numeric cells are numbers, not text: they are
    written in the column's own notation (its decimal mark, no thousands separator, its negative
    form), with Excel's 15 significant digits, so that 650000.5 is read as 650000.5 and never
    through the sheet's thousands rule as 6500005. Dates are written in the column's format."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        digits = format(Decimal(f"{abs(value):.15g}"), "f")
        if column is None or column.type not in ("integer", "decimal"):
            return ("-" if value < 0 else "") + digits
        # An integer column has no decimal mark: a fraction is written so that it cannot pass for
        # a thousands group (1.234 with '.' thousands is 1,234, unparseable, not 1234).
        mark = column.decimal_mark if column.type == "decimal" else "," if column.thousands == "." else "."
        digits = digits.replace(".", mark)
        if value >= 0:
            return digits
        return f"({digits})" if column.negatives[:1] == ("parentheses",) else f"-{digits}"
    if isinstance(value, date):  # calamine gives a date-only cell as a date
        when = value if isinstance(value, datetime) else datetime.combine(value, time())
        if column is not None and column.type in ("date", "timestamp"):
            if column.format in (None, "iso"):
                return when.date().isoformat() if column.type == "date" else when.isoformat(sep=" ")
            return when.strftime(column.format)
        return when.strftime("%d/%m/%Y %H:%M")
    return str(value)


# ----------------------------------------------------------------------------- parsing

# Decimals keep 6 places: every ISO 4217 minor unit (at most 4) and the micro-units in which ad
# platforms report money and fractional conversions. A value with more places is quarantined,
# never rounded; 12 digits before the mark (up to 999,999,999,999.999999) fit any amount of a row.
DECIMAL_PLACES = 6
REGEX_SPECIAL = set(r".^$*+?()[]{}|\-/")
SPACE = r"[\s\x{00A0}]*"  # between a number and its symbol: spaces, no-break spaces
# DuckDB's cast also reads 24:00 as the next midnight and offsets such as +24:00 or +14:61.
ISO_TIMESTAMP = (
    r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
)
ISO_OFFSET = r"(?:Z|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)"
GLOB_DIRECTIVES = {  # fixed-width directives, as DuckDB GLOB classes (a glob is cheaper than a regex)
    "%Y": "[1-9]" + "[0-9]" * 3,
    "%y": "[0-9]" * 2,
    "%m": "[0-9]" * 2,
    "%d": "[0-9]" * 2,
    "%H": "[0-9]" * 2,
    "%I": "[0-9]" * 2,
    "%M": "[0-9]" * 2,
    "%S": "[0-9]" * 2,
    "%b": "[A-Za-z]" * 3,
}


def _regex_escape(text: str) -> str:
    return "".join("\\" + char if char in REGEX_SPECIAL else char for char in text)


def _raw_value(source: Source, column: Column) -> str:
    """SQL expression of a column's raw text in the `staged` temp table."""
    if source.format == "ndjson":  # extracted once per line by _stage (__values)
        return f"__values[{source.columns.index(column) + 1}]"
    return quote(column.source)


def _number_grammar(column: Column) -> str:
    """The regular expression a number of this column must match whole (RE2, as DuckDB's)."""
    digits = "[0-9]+"
    if column.thousands:
        digits = f"(?:[0-9]{{1,3}}(?:{_regex_escape(column.thousands)}[0-9]{{3}})+|[0-9]+)"
    if column.type == "decimal":
        digits += f"(?:{_regex_escape(column.decimal_mark)}[0-9]{{1,{DECIMAL_PLACES}}})?"
    forms = [digits]
    if "minus" in column.negatives:
        forms.append(f"-{digits}")
    if "parentheses" in column.negatives:
        forms.append(f"\\({digits}\\)")
    number = "(?:" + "|".join(forms) + ")"
    if not column.symbols:
        return number
    symbol = _symbol_regex(column)
    return f"(?:{symbol}{SPACE}{number}|{number}{SPACE}{symbol}|{number})"


def _symbol_regex(column: Column) -> str:
    return "(?:" + "|".join(_regex_escape(s) for s in column.symbols) + ")"


def _number_expression(column: Column, text: str) -> str:
    """A number exactly as written, or null: digits only cast directly (most values); anything
    else must match the column's grammar whole, then loses its symbol, thousands separators and
    accounting parentheses and casts. try_cast alone would read '1.5' as the integer 2 and '0x10'
    as 16; the grammar leaves no such reading. Out of range (a bigint, 12 integer digits) is null."""
    sql_type = SQL_TYPES[column.type]
    number = text
    if column.symbols:
        symbol = _symbol_regex(column)
        number = f"regexp_replace({number}, {literal(f'^{symbol}{SPACE}|{SPACE}{symbol}$')}, '')"
    if "parentheses" in column.negatives:
        number = f"(case when starts_with({number}, '(') then '-' || {number}[2:-2] else {number} end)"
    if column.thousands:
        number = f"replace({number}, {literal(column.thousands)}, '')"
    if column.type == "decimal" and column.decimal_mark != ".":
        number = f"replace({number}, {literal(column.decimal_mark)}, '.')"
    return (
        f"case when not ({text} glob '*[!0-9]*') then try_cast({text} as {sql_type}) "
        f"when regexp_full_match({text}, {literal(_number_grammar(column))}) "
        f"then try_cast({number} as {sql_type}) end"
    )


def _format_shape(fmt: str, text: str) -> str:
    """Condition that `text` has exactly the shape of the strptime format: DuckDB's strptime alone
    reads '1/7/2025' and '2025-7-1', and '01/07/25' as the year 25. A GLOB where every directive
    has a fixed width, a regular expression otherwise."""
    parts = [part for part in re.split(r"(%-?[a-zA-Z%])", fmt) if part]
    literal_parts = [part for part in parts if part not in FORMAT_DIRECTIVES]
    if all(part in GLOB_DIRECTIVES for part in parts if part in FORMAT_DIRECTIVES) and not any(
        set(part) & set("*?[]") for part in literal_parts
    ):
        return f"{text} glob {literal(''.join(GLOB_DIRECTIVES.get(part, part) for part in parts))}"
    regex = "".join(FORMAT_DIRECTIVES.get(part) or _regex_escape(part) for part in parts)
    return f"regexp_full_match({text}, {literal(regex)})"


def _parse_expression(source: Source, column: Column, raw: str) -> str:
    text = f"nullif(trim({raw}), '')"
    if column.type == "text":
        # NFC: Windows-1258 and macOS exports write Vietnamese letters as base + combining mark.
        return f"nfc_normalize({text})"
    if column.type == "boolean":
        return f"case lower({text}) when 'true' then true when 'false' then false end"
    if column.type in ("integer", "decimal"):
        return _number_expression(column, text)
    if column.type == "date":
        fmt = column.format or "%Y-%m-%d"
        parsed = f"cast(try_strptime({text}, {literal(fmt)}) as date)"
        return f"case when {_format_shape(fmt, text)} then {parsed} end"
    # timestamp -> naive UTC
    zone = literal(source.timezone)
    if column.format in (None, "iso"):
        return (
            f"case when regexp_full_match({text}, {literal(ISO_TIMESTAMP + ISO_OFFSET)}) "
            f"then timezone('UTC', try_cast({text} as timestamptz)) "
            f"when regexp_full_match({text}, {literal(ISO_TIMESTAMP)}) "
            f"then timezone('UTC', timezone({zone}, try_cast({text} as timestamp))) end"
        )
    parsed = f"try_strptime({text}, {literal(column.format)})"
    if "%z" not in column.format:
        parsed = f"timezone({zone}, {parsed})"
    return f"case when {_format_shape(column.format, text)} then timezone('UTC', {parsed}) end"


def _expected(column: Column) -> str:
    """What a value of the column must look like, for the reason of an unparseable value."""
    if column.type == "boolean":
        return "true or false"
    if column.type in ("date", "timestamp"):
        if column.format in (None, "iso"):
            return "%Y-%m-%d" if column.type == "date" else "ISO 8601, e.g. 2025-07-01T09:30:00+07:00"
        return column.format
    parts = [f"thousands {column.thousands!r}"] if column.thousands else []
    if column.type == "decimal":
        parts.append(f"decimal mark {column.decimal_mark!r}, at most {DECIMAL_PLACES} decimal places")
    negatives = " or ".join(NEGATIVE_FORMS[form] for form in column.negatives)
    parts.append(f"negatives as {negatives}" if negatives else "no negatives")
    if column.symbols:
        parts.append(f"symbols {' '.join(column.symbols)}")
    return ", ".join(parts)


def _parsed(name: str) -> str:
    """Name of a parsed column inside the `parsed` temp table (never clashes with a header)."""
    return quote("__parsed_" + name)


def _parsed_columns(source: Source) -> str:
    """SELECT list of every mapped column parsed from the `staged` text to its type."""
    return ", ".join(
        f"{_parse_expression(source, c, _raw_value(source, c))} as {_parsed(c.name)}" for c in source.columns
    )


def _rule_checks(source: Source, column: Column) -> list[tuple[str, str, str]]:
    """(rule, condition that flags a bad row, reason expression) for one column, in order."""
    raw = f"nullif(trim({_raw_value(source, column)}), '')"
    parsed = _parsed(column.name)
    checks = []
    if column.required:
        checks.append(("missing_required", f"{raw} is null", literal("empty required value")))
    if column.type != "text":
        checks.append(
            (
                "unparseable",
                f"{raw} is not null and {parsed} is null",
                f"{literal(f'cannot parse as {column.type} ({_expected(column)}): ')} || {raw}",
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
    if column.type in ("date", "timestamp") and column.event:
        # Not after the wall clock (a day of slack for clocks and time zones), and not after the
        # export that reports the event: its day (local, the source's zone) plus days_after_export.
        now = "timezone('UTC', now())"
        limit = f"cast({now} as date) + 1" if column.type == "date" else f"{now} + interval 1 day"
        checks.append(
            (
                "in_future",
                f"{parsed} > {limit}",
                f"cast({parsed} as varchar) || {literal(' is in the future')}",
            )
        )
        days = source.days_after_export
        if column.type == "date":
            after, shown, zone = f"{parsed} > _partition_date + {days}", f"cast({parsed} as varchar)", ""
        else:  # __events_before: the export day's end plus the days, in UTC (_export_days)
            after, shown = f"{parsed} >= __events_before", f"cast({parsed} as varchar) || ' UTC'"
            zone = f" in {source.timezone}"
        slack = f"{zone} (+{days} day{'' if days == 1 else 's'} allowed)"
        checks.append(
            (
                "after_export",
                after,
                f"{shown} || {literal(' is after the export day ')} || cast(_partition_date as varchar) "
                f"|| {literal(slack)}",
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


def _of_check(values: dict[int, str]) -> str:
    """CASE expression picking the value of the row's check (__check: 0 a repeat, -1 a conflict,
    n the n-th rule)."""
    if not values:
        return "cast(null as varchar)"
    return "case __check " + " ".join(f"when {n} then {v}" for n, v in values.items()) + " end"


def _export_days(con, source: Source) -> None:
    """Temp table export_days: each partition of `staged` with the first instant (naive UTC) after
    its export day plus days_after_export, midnight in the source's zone. Computed once per day
    here: a time zone conversion per row costs a quarter of a microsecond, a join almost nothing."""
    zone = ZoneInfo(source.timezone)
    days = [day for (day,) in con.execute("select distinct _partition_date from staged").fetchall()]
    bounds = [
        datetime.combine(day + timedelta(days=source.days_after_export + 1), time(), zone)
        .astimezone(UTC)
        .replace(tzinfo=None)
        for day in days
    ]
    con.execute("create or replace temp table export_days (_partition_date date, __events_before timestamp)")
    if days:
        con.execute(
            "insert into export_days select unnest(?::date[]), unnest(?::timestamp[])", [days, bounds]
        )


def _check(con, source: Source) -> None:
    """Parse `staged` into `parsed` in one pass: every mapped column to its type, and the number
    of the first row-level rule the row breaks (__check, evaluated once per row). Rows that break
    a rule, copies of an earlier good row of their file, and good rows that give one record two
    contents (conflicts) are listed in `bad`, with the column and reason of repeats and conflicts."""
    _export_days(con, source)
    parsed_columns = _parsed_columns(source)
    checks = [check for c in source.columns for check in _rule_checks(source, c)]
    failing = _first_failing([(cond, str(n)) for n, (_, cond, _) in enumerate(checks, 1)])
    con.execute(
        f"""create or replace temp table parsed as
        select _source_file, _partition_date, _line, {", ".join(_parsed(c.name) for c in source.columns)},
            {failing} as __check
        from (
            select *, {parsed_columns} from staged inner join export_days using (_partition_date)
        ) as typed"""
    )
    # A record is its key and version (primary key + version_column; without a version column,
    # the primary key) within an export day: several files of a day are one delivery and its
    # corrected copies. Good rows of one record with different contents are a conflict, all of
    # them quarantined: which one is right is unknown, and staging would pick one arbitrarily.
    # Identical rows are copies: in one file the later ones are repeats; in two files of the day
    # both load (staging keeps one, they are equal). A source versioned by row order has no
    # conflicts: its repeats are identical rows of a file. Rows whose key hashes alike are found
    # in one cheap pass over a 64-bit hash; only those are compared on the values themselves.
    key_names = _record_key(source)
    key = [_parsed(k) for k in key_names]
    content = [_parsed(c.name) for c in source.columns]
    scope = "_source_file" if source.versioned_by_row_order else "_partition_date"
    p_key, p_content = (", ".join(f"p.{k}" for k in columns) for columns in (key, content))
    same_key = " and ".join(f"c.{k} is not distinct from r.{k}" for k in key)
    same_content = " and ".join(f"c.{k} is not distinct from r.{k}" for k in content)
    differing = ", ".join(
        f"case when count(distinct {_parsed(c.name)}) + (count({_parsed(c.name)}) < count(*))::int > 1 "
        f"then {literal(c.name)} end"
        for c in source.columns
        if c.name not in key_names
    )
    key_values = " || ', ' || ".join(f"coalesce(cast({k} as varchar), 'null')" for k in key)
    if source.version_column:
        copy_column = literal(", ".join(key_names))
        copy_reason = literal("same " + " and ".join(key_names) + " as line ")
    else:
        copy_column, copy_reason = "cast(null as varchar)", literal("identical to line ")
    con.execute(
        f"""create or replace temp table bad as
        with candidates as (
            select p._source_file, p._partition_date, p._line, {p_content}, hash({p_content}) as __content
            from parsed as p
            semi join (
                select {scope}, hash({", ".join(key)}) as key_hash from parsed
                where __check is null
                group by all having count(*) > 1
            ) as h on h.{scope} = p.{scope} and h.key_hash = hash({p_key})
            where p.__check is null
        ),
        records as (
            select {scope}, {", ".join(key)},
                {literal("same " + ", ".join(key_names) + " (")} || {key_values} || ') but different '
                    || concat_ws(', ', {differing or "null"}) || ': '
                    || string_agg(_source_file || ':' || _line, ', ' order by _source_file, _line)
                    as __reason,
                concat_ws(', ', {differing or "null"}) as __column
            from candidates
            group by {scope}, {", ".join(key)}
            having count(distinct __content) > 1
        ),
        conflicts as (
            select c._source_file, c._line, -1 as __check, r.__column, r.__reason
            from candidates as c
            inner join records as r on c.{scope} = r.{scope} and {same_key}
        ),
        copies as (
            select _source_file, {", ".join(content)}, min(_line) as __first_line from candidates
            group by all having count(*) > 1
        )
        select _source_file, _line, __check, cast(null as varchar) as __column,
            cast(null as varchar) as __reason
        from parsed where __check is not null
        union all
        select * from conflicts
        union all
        select c._source_file, c._line, 0, {copy_column}, {copy_reason} || r.__first_line
        from candidates as c
        inner join copies as r on c._source_file = r._source_file and {same_content}
        anti join conflicts as x on x._source_file = c._source_file and x._line = c._line
        where c._line > r.__first_line"""
    )


def _record_key(source: Source) -> list[str]:
    """The columns that identify one version of a record (see _check)."""
    key = [k for k in source.primary_key if k not in source.constants]  # a constant tells no row apart
    if source.version_column:
        return [*key, source.version_column]
    if source.versioned_by_row_order or not key:
        return [c.name for c in source.columns]
    return key


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
