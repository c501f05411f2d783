"""Physical line numbers of CSV records: records that a stray quote stretched are cut and their
files read again, DuckDB's record numbers become physical lines, and blank lines are counted as
skipped."""

from __future__ import annotations

from pathlib import Path

from orchestration.lib.config import Source
from orchestration.lib.ingest.discovery import _Landed
from orchestration.lib.ingest.readers import REJECTED_LINE_BYTES, _read_group
from orchestration.lib.ingest.sql import quote
from orchestration.lib.ingest.text import BLANK_LINE


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
