"""Hostile input: each gets a clear outcome (loaded, quarantined, or an error naming source and file)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from orchestration.lib.ingest import IngestError, SchemaDriftError, load_partition
from orchestration.lib.quality import encoding_failures

DAY = date(2025, 7, 1)
CONFIG = """
sources:
  - name: calls
    domain: customer_service
    files: calls/calls_{{date}}.csv
    encoding: {encoding}
    delimiter: "{delimiter}"
    primary_key: [call_id]
    row_date: queued_at
    timezone: Asia/Ho_Chi_Minh
    columns:
      call_id: {{source: Mã cuộc gọi, type: text, required: true}}
      queued_at: {{source: Bắt đầu, type: timestamp, format: "%d/%m/%Y %H:%M:%S", required: true}}
      note: {{source: Ghi chú, type: text}}
"""
HEADER = "Mã cuộc gọi,Bắt đầu,Ghi chú\n"
ROWS = "C1,01/07/2025 08:00:00,Khách hỏi đơn hàng\nC2,01/07/2025 09:00:00,Đã giải quyết\n"


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode like Windows-1258 does: precomposed base letters plus combining tone marks."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tones = [mark for mark in decomposed if mark in TONE_MARKS]
            base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
            out += (base + "".join(tones)).encode("cp1258")
    return bytes(out)


def setup(write_config, landing, content: bytes, encoding="utf-8", delimiter=","):
    (source,) = write_config(CONFIG.format(encoding=encoding, delimiter=delimiter))
    (landing / "calls").mkdir(exist_ok=True)
    (landing / "calls" / "calls_2025-07-01.csv").write_bytes(content)
    return source


@pytest.mark.parametrize("encoding", ["utf-16", "cp1258"])
def test_excel_exports_in_utf16_or_windows_1258_are_read_correctly(con, write_config, landing, encoding):
    encode = to_cp1258 if encoding == "cp1258" else (lambda text: text.encode(encoding))
    source = setup(write_config, landing, encode(HEADER + ROWS), encoding=encoding)
    assert load_partition(con, source, landing, DAY).rows_loaded == 2
    assert con.execute("select note from raw.calls order by call_id").fetchall() == [
        ("Khách hỏi đơn hàng",),
        ("Đã giải quyết",),
    ]


def test_wrong_encoding_is_an_error_naming_source_and_file(con, write_config, landing):
    source = setup(write_config, landing, (HEADER + ROWS).encode("utf-16"), encoding="utf-8")
    with pytest.raises(IngestError, match=r"source 'calls', file calls/calls_2025-07-01.csv"):
        load_partition(con, source, landing, DAY)


def test_wrong_delimiter_is_an_error(con, write_config, landing):
    source = setup(write_config, landing, (HEADER + ROWS).replace(",", ";").encode())
    with pytest.raises(IngestError, match=r"calls_2025-07-01.csv.*wrong delimiter"):
        load_partition(con, source, landing, DAY)


def test_truncated_file_keeps_good_rows_and_quarantines_the_cut_line(con, write_config, landing):
    content = (HEADER + ROWS + 'C3,01/07/2025 10:00:00,"Khách phàn nàn').encode()
    source = setup(write_config, landing, content)
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    assert con.execute("select _source_row, rule from quarantine.calls").fetchall() == [(4, "malformed_line")]


def test_repeated_header_line_inside_the_file_is_quarantined(con, write_config, landing):
    source = setup(write_config, landing, (HEADER + ROWS + HEADER + ROWS.replace("C", "D")).encode())
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_loaded, result.rows_quarantined) == (4, 1)
    assert con.execute("select _source_row, rule, column_name from quarantine.calls").fetchall() == [
        (4, "unparseable", "queued_at")
    ]


def test_letters_already_replaced_by_question_marks_are_loaded_and_reported(con, write_config, landing):
    """The damage happened before the export reached us: the text is loaded as it is, and the
    quality check warns with samples and their file:line, so that someone asks for a good export."""
    source = setup(
        write_config,
        landing,
        (
            HEADER
            + "C1,01/07/2025 08:00:00,Tr?i nghi?m kh?ch h?ng\n"
            + "C2,01/07/2025 09:00:00,Khách hỏi ?\n"  # a question mark, not a lost letter
            + "C3,01/07/2025 10:00:00,https://shop.vn/?id=1\n"
        ).encode(),
    )
    assert load_partition(con, source, landing, DAY).rows_loaded == 3
    assert con.execute("select note from raw.calls where call_id = 'C1'").fetchall() == [
        ("Tr?i nghi?m kh?ch h?ng",)
    ]
    (failure,) = encoding_failures(con, source, [DAY], min_share=0.1)
    assert (failure.column, failure.severity, failure.unexpected_count) == ("note", "warning", 1)
    assert failure.sample_values == ["Tr?i nghi?m kh?ch h?ng (calls/calls_2025-07-01.csv:2)"]
    assert failure.detail.startswith("1 of 3 values in calls/calls_2025-07-01.csv have '?' inside words")
    # Below the share in its file (1 of 3 is 33%), a stray one is not reported.
    assert encoding_failures(con, source, [DAY], min_share=0.5) == []


def test_missing_column_stops_the_source(con, write_config, landing):
    source = setup(write_config, landing, ("Mã cuộc gọi,Ghi chú\nC1,x\n").encode())
    with pytest.raises(SchemaDriftError, match=r"source 'calls'.*\['Bắt đầu'\] not found"):
        load_partition(con, source, landing, DAY)


def test_header_only_file_loads_zero_rows(con, write_config, landing):
    source = setup(write_config, landing, HEADER.encode())
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.files[0].status) == (0, 0, "loaded")


LOAD_BIG_FILE = """
import resource, sys
from datetime import date
from pathlib import Path
import duckdb
from orchestration.lib.config import load_sources
from orchestration.lib.ingest import load_partition
root = Path(sys.argv[1])
(source,) = load_sources(root / "sources.yml")
con = duckdb.connect(str(root / "cx.duckdb"))
con.execute("set memory_limit = '300MB'")
con.execute("set enable_progress_bar = false")
result = load_partition(con, source, root / "landing", date(2025, 7, 1))
print(result.rows_loaded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.mark.slow
def test_very_large_csv_is_loaded_with_bounded_memory(tmp_path):
    """2 million rows (130 MB): unconstrained this load peaks near 1.4 GB; under DuckDB's memory
    limit (the warehouse resource sets one) it spills to disk and stays far below."""
    import subprocess
    import sys

    (tmp_path / "sources.yml").write_text(CONFIG.format(encoding="utf-8", delimiter=","), encoding="utf-8")
    path = tmp_path / "landing" / "calls" / "calls_2025-07-01.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for n in range(2_000_000):
            handle.write(f"C{n},01/07/2025 08:{n % 60:02d}:00,Khách hỏi đơn hàng số {n}\n")
    done = subprocess.run(
        [sys.executable, "-c", LOAD_BIG_FILE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    rows, peak_mb = map(int, done.stdout.split())
    assert rows == 2_000_000
    assert peak_mb < 700, f"peak resident memory {peak_mb} MB"
