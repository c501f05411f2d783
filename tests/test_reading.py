"""Reading exports: physical line numbers (records that span lines, blank lines), line ends of
every kind, a stray quote, NUL bytes and stray BOMs, read errors that name source, file and line.
Every expected line number below is counted by hand in the file written by the test."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from orchestration.lib.ingest import load_partition, refresh_reconciliation
from tests.test_ingest import NDJSON_CONFIG, XLSX_CONFIG

DAY = date(2025, 7, 1)
REVIEWS = """
sources:
  - name: reviews
    domain: customer_service
    files: reviews/reviews_{date}.csv
    primary_key: [review_id]
    row_date: reviewed_at
    columns:
      review_id: {source: ID, type: text, required: true}
      reviewed_at: {source: Date, type: date, format: "%d/%m/%Y", required: true}
      score: {source: Score, type: integer, min: 1, max: 5}
      comment: {source: Comment, type: text}
"""
# A reviews export whose comments span lines (one holds a blank line), with a blank line between
# records, a record with a bad score, one with too many fields and one with an impossible date.
REVIEW_LINES = [
    "ID,Date,Score,Comment",  # 1
    'R1,01/07/2025,5,"Giao nhanh,',  # 2
    'đóng gói cẩn thận"',  # 3
    "R2,01/07/2025,4,Tốt",  # 4
    'R3,01/07/2025,9,"Điểm sai',  # 5: score above 5
    "",  # 6: a blank line inside the comment
    '(dòng trống ở trên)"',  # 7
    'R4,01/07/2025,3,"a ""quoted"" word"',  # 8
    "R5,01/07/2025,2,too,many,fields",  # 9: malformed
    'R6,01/07/2025,1,"ba',  # 10
    "dòng",  # 11
    'nữa"',  # 12
    "",  # 13: a blank line between records
    'R7,31/02/2025,5,"ngày',  # 14: no such date
    'sai"',  # 15
    "R8,01/07/2025,5,cuối",  # 16
]
LINE_ENDS = {
    "LF": ["\n"],
    "CRLF": ["\r\n"],
    "CR": ["\r"],
    "mixed": ["\r\n", "\n", "\n", "\r\n", "\r"],  # a file edited by hand on two systems
}


def joined(lines: list[str], ends: list[str]) -> str:
    return "".join(line + ends[number % len(ends)] for number, line in enumerate(lines))


def write(landing: Path, relative: str, data: bytes) -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def reconciliation(con, source) -> list[tuple]:
    refresh_reconciliation(con, [source])
    return con.execute(
        "select rows_read, rows_loaded, rows_quarantined, lines_read, lines_loaded, lines_quarantined, "
        "lines_skipped, is_balanced from quarantine.reconciliation"
    ).fetchall()


@pytest.mark.parametrize("ends", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_every_record_keeps_the_line_where_it_starts_whatever_the_line_ends(con, write_config, landing, ends):
    (source,) = write_config(REVIEWS)
    write(landing, "reviews/reviews_2025-07-01.csv", b"\xef\xbb\xbf" + joined(REVIEW_LINES, ends).encode())

    result = load_partition(con, source, landing, DAY)

    assert con.execute("select review_id, _source_row, comment from raw.reviews order by 2").fetchall() == [
        ("R1", 2, "Giao nhanh,\nđóng gói cẩn thận"),
        ("R2", 4, "Tốt"),
        ("R4", 8, 'a "quoted" word'),
        ("R6", 10, "ba\ndòng\nnữa"),
        ("R8", 16, "cuối"),
    ]
    assert con.execute(
        "select _source_row, rule, raw_record from quarantine.reviews order by 1"
    ).fetchall() == [
        (
            5,
            "out_of_range",
            '{"ID":"R3","Date":"01/07/2025","Score":"9","Comment":"Điểm sai\\n\\n(dòng trống ở trên)"}',
        ),
        (9, "malformed_line", "R5,01/07/2025,2,too,many,fields"),
        (14, "unparseable", '{"ID":"R7","Date":"31/02/2025","Score":"5","Comment":"ngày\\nsai"}'),
    ]
    # 16 lines: 8 in loaded records (2+1+1+3+1), 6 in quarantined ones (3+1+2), header and line 13.
    assert reconciliation(con, source) == [(8, 5, 3, 16, 8, 6, 2, True)]
    (file,) = result.files
    assert (file.lines_read, file.lines_loaded, file.lines_quarantined, file.lines_skipped) == (16, 8, 6, 2)


def test_windows_export_with_multi_line_fields_is_read_as_it_is(con, write_config, landing):
    """CRLF throughout and no blank line: DuckDB reads the export itself (no copy)."""
    (source,) = write_config(REVIEWS)
    lines = [*REVIEW_LINES[:5], *REVIEW_LINES[6:12], *REVIEW_LINES[13:]]  # the blank lines removed
    write(landing, "reviews/reviews_2025-07-01.csv", joined(lines, ["\r\n"]).encode())
    load_partition(con, source, landing, DAY)
    assert con.execute("select review_id, _source_row from raw.reviews order by 2").fetchall() == [
        ("R1", 2),
        ("R2", 4),
        ("R4", 7),
        ("R6", 9),
        ("R8", 14),
    ]
    assert con.execute("select _source_row, rule from quarantine.reviews order by 1").fetchall() == [
        (5, "out_of_range"),
        (8, "malformed_line"),
        (12, "unparseable"),
    ]
    # 14 lines: 8 in loaded records (2+1+1+3+1), 5 in quarantined ones (2+1+2) and the header.
    assert reconciliation(con, source) == [(8, 5, 3, 14, 8, 5, 1, True)]


@pytest.mark.parametrize("ends", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_ndjson_lines_whatever_the_line_ends(con, write_config, landing, ends):
    (source,) = write_config(NDJSON_CONFIG)
    lines = [
        '{"id": "T1", "created_at": "2025-07-01T01:00:00Z", "via": {"channel": "web"}, "public": true}',  # 1
        "",  # 2
        '{"id": "T2", "created_at": "2025-07-01T02:00:00Z"}',  # 3
        '{"id": "T3", "created_at": ',  # 4: cut short
        '{"id": "T4", "created_at": "2025-07-01T04:00:00Z"}',  # 5
    ]
    write(landing, "helpdesk/tickets_2025-07-01.ndjson", joined(lines, ends).encode())
    load_partition(con, source, landing, DAY)
    assert con.execute("select ticket_id, _source_row from raw.tickets order by 2").fetchall() == [
        ("T1", 1),
        ("T2", 3),
        ("T4", 5),
    ]
    assert con.execute("select _source_row, rule from quarantine.tickets").fetchall() == [
        (4, "malformed_line")
    ]
    assert reconciliation(con, source) == [(4, 3, 1, 5, 3, 1, 1, True)]


def test_xlsx_rows_keep_their_row_and_a_decomposed_sheet_name_is_found(con, write_config, landing):
    """A sheet named on macOS (NFD: base letters and combining marks) matches the configured name;
    a cell with line breaks is one row; a blank row is skipped and the rows below keep their number."""
    import openpyxl

    (source,) = write_config(XLSX_CONFIG)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = unicodedata.normalize("NFD", "Đơn hàng")
    assert sheet.title != "Đơn hàng"
    sheet.append(["Mã đơn", "Ngày đặt", "Thành tiền", "Ghi chú"])  # row 1
    sheet.append(["FB-1", "01/07/2025 20:15", "250.000", "gọi trước\nkhi giao\nhàng"])  # row 2
    sheet.append([None, None, None, None])  # row 3
    sheet.append(["FB-2", "không rõ", "100.000", None])  # row 4: unparseable
    sheet.append(["FB-3", "01/07/2025 21:00", "90.000", None])  # row 5
    (landing / "manual").mkdir()
    workbook.save(landing / "manual" / "don_hang_2025-07-01.xlsx")
    load_partition(con, source, landing, DAY)
    assert con.execute("select order_id, _source_row, note from raw.manual_orders order by 2").fetchall() == [
        ("FB-1", 2, "gọi trước\nkhi giao\nhàng"),
        ("FB-3", 5, None),
    ]
    assert con.execute("select _source_row, rule from quarantine.manual_orders").fetchall() == [
        (4, "unparseable")
    ]
    # An XLSX has rows, not lines: no line counts, and the rows balance.
    assert reconciliation(con, source) == [(3, 2, 1, None, None, None, None, True)]


CALLS = """
sources:
  - name: calls
    domain: customer_service
    files: calls/calls_{{date}}.csv
    primary_key: [call_id]
    row_date: queued_at
    timezone: Asia/Ho_Chi_Minh
    {extra}
    columns:
      call_id: {{source: Mã cuộc gọi, type: text, required: true}}
      queued_at: {{source: Bắt đầu, type: timestamp, format: "%d/%m/%Y %H:%M:%S", required: true}}
      note: {{source: Ghi chú, type: text}}
"""
CALL_HEADER = "Mã cuộc gọi,Bắt đầu,Ghi chú"


def calls_export(landing: Path, rows: list[str], ends: str = "\n") -> Path:
    """A call-records export: the header on line 1, call C<n> on line n + 1 unless damaged."""
    return write(landing, "calls/calls_2025-07-01.csv", joined([CALL_HEADER, *rows], [ends]).encode())


def call_rows(count: int) -> list[str]:
    return [f"C{n},01/07/2025 08:{n % 60:02d}:00,ghi chú {n}" for n in range(1, count + 1)]


def loaded_calls(con) -> list[tuple]:
    return con.execute("select call_id, _source_row from raw.calls order by _source_row").fetchall()


def test_a_quote_that_never_closes_costs_one_line_not_the_rest_of_the_file(con, write_config, landing):
    """The issue's repro: 58 lines, an opening quote on line 30 that never closes. DuckDB read
    lines 30-58 as one malformed record (read 29, loaded 28, quarantined 1, "balanced")."""
    (source,) = write_config(CALLS.format(extra=""))
    rows = call_rows(57)
    rows[28] = 'C29,01/07/2025 08:29:00,"Khách phàn nàn'  # line 30
    calls_export(landing, rows)

    load_partition(con, source, landing, DAY)

    assert loaded_calls(con) == [(f"C{n}", n + 1) for n in range(1, 58) if n != 29]
    ((line, rule, reason, raw),) = con.execute(
        "select _source_row, rule, reason, raw_record from quarantine.calls"
    ).fetchall()
    assert (line, rule, raw) == (30, "malformed_line", 'C29,01/07/2025 08:29:00,"Khách phàn nàn')
    assert reason == (
        "UNQUOTED VALUE: Value with unterminated quote found. (a record from this line to line 58); "
        "read again from line 31"
    )
    assert reconciliation(con, source) == [(57, 56, 1, 58, 56, 1, 1, True)]


def test_a_stray_quote_closed_lines_later_costs_only_its_own_line(con, write_config, landing):
    """The quote opened on line 30 closes inside line 33: DuckDB made lines 30-33 one malformed
    record. Line 33, read from its start, is a good record whose note holds a quote."""
    (source,) = write_config(CALLS.format(extra=""))
    rows = call_rows(40)
    rows[28] = 'C29,01/07/2025 08:29:00,"Khách phàn nàn'  # line 30
    rows[31] = 'C32,01/07/2025 08:32:00,nói "xong'  # line 33
    calls_export(landing, rows, "\r\n")
    load_partition(con, source, landing, DAY)
    assert loaded_calls(con) == [(f"C{n}", n + 1) for n in range(1, 41) if n != 29]
    assert con.execute("select note from raw.calls where call_id = 'C32'").fetchall() == [('nói "xong',)]
    assert con.execute("select _source_row, reason from quarantine.calls").fetchall() == [
        (
            30,
            "UNQUOTED VALUE: Value with unterminated quote found. (a record from this line to line 33); "
            "read again from line 31",
        )
    ]
    assert reconciliation(con, source) == [(40, 39, 1, 41, 39, 1, 1, True)]


@pytest.mark.parametrize("max_lines", [None, 20], ids=["default max_record_lines", "max_record_lines 20"])
def test_a_record_longer_than_the_source_allows_is_cut_at_its_first_line(
    con, write_config, landing, max_lines
):
    """The quote opened on line 30 closes on line 40, where the record ends with the right number
    of fields: one good-looking record of 11 lines. Above the source's max_record_lines (default
    5) it is cut: line 30 is quarantined, lines 31-39 are calls, line 40 alone is malformed."""
    extra = f"max_record_lines: {max_lines}" if max_lines else ""
    (source,) = write_config(CALLS.format(extra=extra))
    rows = call_rows(45)
    rows[28] = 'C29,01/07/2025 08:29:00,"Khách phàn nàn'  # line 30
    rows[38] = 'hết"'  # line 40
    calls_export(landing, rows)
    load_partition(con, source, landing, DAY)
    quarantined = con.execute("select _source_row, reason from quarantine.calls order by 1").fetchall()
    if max_lines:  # the source allows it: one record, lines 30-40, with a long note
        assert loaded_calls(con) == [(f"C{n}", n + 1) for n in range(1, 46) if not 29 < n < 40]
        assert quarantined == []
        assert reconciliation(con, source) == [(35, 35, 0, 46, 45, 0, 1, True)]
        return
    assert loaded_calls(con) == [(f"C{n}", n + 1) for n in range(1, 46) if n not in (29, 39)]
    assert quarantined == [
        (
            30,
            "UNCLOSED QUOTE: a quoted field opened on this line runs to line 40, more than "
            "max_record_lines (5); read again from line 31",
        ),
        (40, "MISSING COLUMNS: Expected Number of Columns: 3 Found: 1"),
    ]
    assert reconciliation(con, source) == [(45, 43, 2, 46, 43, 2, 1, True)]


def test_a_stray_quote_before_more_text_than_duckdb_keeps_of_a_bad_record(con, write_config, landing):
    """DuckDB keeps only 10,000 bytes of a malformed record, so where it ends is unknown: the
    file is read again after the cut line all the same."""
    (source,) = write_config(CALLS.format(extra=""))
    rows = call_rows(600)  # about 24 kB after the quote
    rows[1] = 'C2,01/07/2025 08:02:00,"mở'  # line 3
    calls_export(landing, rows)
    load_partition(con, source, landing, DAY)
    assert loaded_calls(con) == [(f"C{n}", n + 1) for n in range(1, 601) if n != 2]
    assert con.execute("select _source_row, reason from quarantine.calls").fetchall() == [
        (
            3,
            "UNQUOTED VALUE: Value with unterminated quote found. (more than 10000 bytes from this line); "
            "read again from line 4",
        )
    ]
    assert reconciliation(con, source) == [(600, 599, 1, 601, 599, 1, 1, True)]


def test_nul_bytes_are_quarantined_with_their_column(con, write_config, landing):
    (source,) = write_config(CALLS.format(extra=""))
    rows = call_rows(4)
    rows[1] = "C\x002,01/07/2025 08:02:00,ghi chú"  # line 3: a NUL inside the key
    rows[3] = "\x00\x00\x00\x00"  # line 5: a block of zeros, as a crash leaves
    calls_export(landing, rows)
    load_partition(con, source, landing, DAY)
    assert loaded_calls(con) == [("C1", 2), ("C3", 4)]
    assert con.execute("select _source_row, rule, reason from quarantine.calls order by 1").fetchall() == [
        (3, "malformed_line", "NUL BYTE: a NUL byte (0x00) in column 'Mã cuộc gọi'; a damaged export?"),
        (5, "malformed_line", "MISSING COLUMNS: Expected Number of Columns: 3 Found: 1"),
    ]
    assert reconciliation(con, source) == [(4, 2, 2, 5, 2, 2, 1, True)]


def test_ndjson_nul_bytes_and_escaped_nuls_are_quarantined(con, write_config, landing):
    (source,) = write_config(NDJSON_CONFIG)
    lines = [
        '{"id": "T1", "created_at": "2025-07-01T01:00:00Z", "via": {"channel": "web"}, "public": true}',
        '{"id": "T\x002", "created_at": "2025-07-01T02:00:00Z"}',
        '{"id": "T\\u00003", "created_at": "2025-07-01T03:00:00Z"}',
    ]
    write(landing, "helpdesk/tickets_2025-07-01.ndjson", joined(lines, ["\n"]).encode())
    load_partition(con, source, landing, DAY)
    assert con.execute("select ticket_id from raw.tickets").fetchall() == [("T1",)]
    assert con.execute("select _source_row, reason from quarantine.tickets order by 1").fetchall() == [
        (2, "NUL BYTE: a NUL (0x00) in the record; a damaged export?"),
        (3, "NUL BYTE: a NUL (0x00) in the record; a damaged export?"),
    ]
    assert reconciliation(con, source) == [(3, 1, 2, 3, 1, 2, 0, True)]


def test_two_exports_pasted_together_leave_no_bom_in_a_key(con, write_config, landing):
    """The second export's BOM lands in the middle of the file: before its header (quarantined
    as a row whose date is a column name) or, pasted without its header, before a record."""
    (source,) = write_config(CALLS.format(extra=""))
    first, second = call_rows(2), [f"C{n},01/07/2025 09:{n:02d}:00,x" for n in (3, 4)]
    text = "\n".join([CALL_HEADER, *first, "\ufeff" + CALL_HEADER, second[0], "\ufeff" + second[1]]) + "\n"
    write(landing, "calls/calls_2025-07-01.csv", b"\xef\xbb\xbf" + text.encode())
    load_partition(con, source, landing, DAY)
    assert loaded_calls(con) == [("C1", 2), ("C2", 3), ("C3", 5), ("C4", 6)]
    assert con.execute("select _source_row, rule, column_name from quarantine.calls").fetchall() == [
        (4, "unparseable", "queued_at")
    ]
    assert con.execute("select count(*) from raw.calls where contains(call_id, '\ufeff')").fetchall() == [
        (0,)
    ]
    assert reconciliation(con, source) == [(5, 4, 1, 6, 4, 1, 1, True)]


def test_a_header_with_a_trailing_delimiter_is_read(con, write_config, landing):
    """A hand-edited header "a,b,c," has an unnamed last column: it gets a name, as in XLSX."""
    (source,) = write_config(CALLS.format(extra=""))
    write(
        landing, "calls/calls_2025-07-01.csv", (CALL_HEADER + ",\n" + "C1,01/07/2025 08:00:00,x,\n").encode()
    )
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_loaded, result.files[0].extra_columns) == (1, ["column_4"])
