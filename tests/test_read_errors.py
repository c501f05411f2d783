"""Read errors: a file that cannot be read names its source, file, line and byte, never an aborted
transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.lib.config import ConfigError
from orchestration.lib.ingest import IngestError, load_partition, loading, staging
from tests.test_hostile_input import to_cp1258
from tests.test_ingest import NDJSON_CONFIG, XLSX_CONFIG
from tests.test_reading import CALL_HEADER, CALLS, DAY, call_rows, calls_export, joined, write


def test_a_failed_read_names_source_and_file_not_an_aborted_transaction(
    con, write_config, landing, monkeypatch
):
    """A read that DuckDB cannot do fails inside the run's transaction, which it aborts: the
    error must still name the source and the file (found by reading each file of the group on a
    connection of its own), not 'Current transaction is aborted'. Here the normalisation of line
    ends is switched off, so DuckDB meets a file with mixed line ends."""
    (source,) = write_config(CALLS.format(extra="").replace("calls_{date}", "calls_{date}*"))
    write(landing, "calls/calls_2025-07-01.csv", joined([CALL_HEADER, *call_rows(3)], ["\n"]).encode())
    write(
        landing, "calls/calls_2025-07-01_b.csv", joined([CALL_HEADER, *call_rows(3)], ["\r\n", "\n"]).encode()
    )
    real = staging._readable

    def as_it_is(path, *args):
        _, *rest = real(path, *args)
        return (path, *rest)

    monkeypatch.setattr(staging, "_readable", as_it_is)
    with pytest.raises(IngestError) as caught:
        load_partition(con, source, landing, DAY)
    message = str(caught.value)
    assert message.startswith("source 'calls', file calls/calls_2025-07-01_b.csv: cannot read: ")
    assert "state machine reached an invalid state" in message and "aborted" not in message
    assert con.execute("select count(*) from raw.calls").fetchall() == [(0,)]  # rolled back


def test_an_encoding_error_names_the_line_and_byte(con, write_config, landing):
    config = CALLS.format(extra="encoding: cp1258")
    (source,) = write_config(config)
    text = to_cp1258(joined([CALL_HEADER, *call_rows(3)], ["\n"]))
    offset = text.index(b"C3")
    write(landing, "calls/calls_2025-07-01.csv", text[:offset] + b"\x81" + text[offset:])  # on line 4
    with pytest.raises(IngestError) as caught:
        load_partition(con, source, landing, DAY)
    assert str(caught.value) == (
        f"source 'calls', file calls/calls_2025-07-01.csv, line 4: not valid cp1258 at byte {offset}: "
        "character maps to <undefined>"
    )


def test_a_header_that_cannot_be_read_names_its_line(con, write_config, landing):
    """A quote in the header that does not close makes the header longer than any field may be."""
    (source,) = write_config(CALLS.format(extra="skip_rows: 1"))
    text = "Báo cáo cuộc gọi\n" + 'Mã cuộc gọi,"Bắt đầu,Ghi chú\n' + "x" * 200_000 + "\n"
    write(landing, "calls/calls_2025-07-01.csv", text.encode())
    with pytest.raises(IngestError, match=r"^source 'calls', file calls/calls_2025-07-01.csv, line 2: "):
        load_partition(con, source, landing, DAY)


def test_a_file_that_disappears_before_it_is_read_is_named(con, write_config, landing, monkeypatch):
    (source,) = write_config(CALLS.format(extra=""))
    path = calls_export(landing, call_rows(2))
    real = loading._batches

    def removed(files):
        path.unlink()  # deleted between planning the run and reading its files
        return real(files)

    monkeypatch.setattr(loading, "_batches", removed)
    with pytest.raises(IngestError, match=r"^source 'calls', file calls/calls_2025-07-01.csv: cannot read: "):
        load_partition(con, source, landing, DAY)


def test_max_record_lines_must_be_a_positive_whole_number(write_config):
    (source,) = write_config(CALLS.format(extra=""))
    assert source.max_record_lines == 5
    with pytest.raises(ConfigError, match=r"source 'calls', field 'max_record_lines': 0 must be"):
        write_config(CALLS.format(extra="max_record_lines: 0"))


def xlsx_with_sheet(path: Path, title: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = title
    workbook.save(path)
    return path.read_bytes()


READER_ERRORS = {
    "a blank header line": (
        CALLS.format(extra=""),
        "calls/calls_2025-07-01.csv",
        lambda path: b"\n" + joined(call_rows(1), ["\n"]).encode(),
        "source 'calls', file calls/calls_2025-07-01.csv, line 1: no header line",
    ),
    "a header naming a column twice": (
        CALLS.format(extra="skip_rows: 1"),
        "calls/calls_2025-07-01.csv",
        lambda path: f"Báo cáo\n{CALL_HEADER},Ghi chú\n".encode(),
        "source 'calls', file calls/calls_2025-07-01.csv, line 2: repeated header names ['Ghi chú']",
    ),
    "a header in another encoding": (
        CALLS.format(extra=""),
        "calls/calls_2025-07-01.csv",
        lambda path: to_cp1258(CALL_HEADER + "\n"),  # "Mã": M, a, the tilde 0xDE
        "source 'calls', file calls/calls_2025-07-01.csv, line 1: not valid utf-8 at byte 2 of the header "
        "(invalid continuation byte); is the encoding in sources.yml right?",
    ),
    "an XLSX that is not one": (
        XLSX_CONFIG,
        "manual/don_hang_2025-07-01.xlsx",
        lambda path: b"PK\x03\x04 not a zip archive",
        "source 'manual_orders', file manual/don_hang_2025-07-01.xlsx: not a readable XLSX: ",
    ),
    "an XLSX without the sheet": (
        XLSX_CONFIG,
        "manual/don_hang_2025-07-01.xlsx",
        lambda path: xlsx_with_sheet(path, "Sheet1"),
        "source 'manual_orders', file manual/don_hang_2025-07-01.xlsx: sheet 'Đơn hàng' not found; "
        "sheets: ['Sheet1']",
    ),
    "an NDJSON field in no line": (
        NDJSON_CONFIG,
        "helpdesk/tickets_2025-07-01.ndjson",
        lambda path: (
            b'{"id": "T1", "created": "2025-07-01T01:00:00Z", "via": {"channel": "web"}, "public": true}\n'
        ),
        "source 'tickets', file helpdesk/tickets_2025-07-01.ndjson: key(s) ['created_at'] found in no line. ",
    ),
}


@pytest.mark.parametrize("case", READER_ERRORS, ids=READER_ERRORS)
def test_each_reader_error_names_the_source_the_file_and_the_line(con, write_config, landing, case):
    config, relative, content, message = READER_ERRORS[case]
    (source,) = write_config(config)
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content(path))
    with pytest.raises(IngestError) as caught:
        load_partition(con, source, landing, DAY)
    assert str(caught.value).startswith(message)


def test_a_file_linked_from_outside_the_landing_folder_is_refused(con, write_config, landing, tmp_path):
    (source,) = write_config(CALLS.format(extra=""))
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(CALL_HEADER + "\n", encoding="utf-8")
    (landing / "calls").mkdir()
    (landing / "calls" / "calls_2025-07-01.csv").symlink_to(outside)
    with pytest.raises(IngestError, match=r"^source 'calls': .*calls_2025-07-01.csv resolves outside "):
        load_partition(con, source, landing, DAY)
