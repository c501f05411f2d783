"""Staging a batch of files: every file read into the temp tables `staged` (text columns, file,
day, physical line) and `rejected` (malformed records), then values cleaned (NUL bytes)."""

from __future__ import annotations

from pathlib import Path

from orchestration.lib.config import Source
from orchestration.lib.ingest.discovery import _Landed
from orchestration.lib.ingest.errors import SchemaDriftError
from orchestration.lib.ingest.lines import _numbered, _recover, _shift_lines, _skipped_and_cut_lines
from orchestration.lib.ingest.readers import _csv_header, _read_group, _stage_ndjson, _stage_xlsx
from orchestration.lib.ingest.sql import literal, quote
from orchestration.lib.ingest.text import BLANK_LINE, _readable


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
