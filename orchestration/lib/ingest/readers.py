"""Reading exports into the temp table staged_raw: the CSV header, one DuckDB read_csv over a
group of files (malformed records into `rejected`), NDJSON lines parsed once, XLSX sheets read
with calamine (cells written as the text the column's parser reads)."""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.lib.config import Column, Source
from orchestration.lib.ingest.discovery import _Landed
from orchestration.lib.ingest.errors import IngestError, SchemaDriftError
from orchestration.lib.ingest.sql import literal, quote

# DuckDB keeps at most this many bytes of a malformed record's text (rejects table, csv_line);
# a text this long (less the line feed _read_group trims) may have been cut.
REJECTED_LINE_BYTES = 10_000


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
