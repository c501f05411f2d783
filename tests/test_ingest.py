"""Ingestion into a temporary DuckDB: types, lineage, quarantine, idempotency, duplicates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.lib.ingest import (
    SchemaDriftError,
    load_partition,
    load_partitions,
    refresh_reconciliation,
)

DAY = date(2025, 7, 1)
HEADER = "Mã đơn,Khách hàng,Ngày đặt,Updated,Thành tiền,Trạng thái,Score,Scale\n"
GOOD_ROWS = (
    'A1,Nguyễn Văn Ấn,01/07/2025 09:30,2025-07-01T02:30:00Z,"1.250.000 ₫",Mới,5,5\n'
    'A2,Trần Thị Bích,01/07/2025 23:59,2025-07-01T17:00:00+07:00,"99.000,50 ₫",Đã giao,9,10\n'
)


def write(landing: Path, name: str, text: str, bom: bool = True) -> Path:
    path = landing / "shop" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def rows(con, sql: str):
    return con.execute(sql).fetchall()


def test_types_timezones_lineage_and_vietnamese_text(con, write_config, landing):
    (source,) = write_config()
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS)
    result = load_partition(con, source, landing, DAY, loaded_at=datetime(2025, 7, 2))
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    got = rows(
        con,
        "select order_id, customer_name, ordered_at, updated_at, amount, sales_channel, "
        "_source_file, _source_row, _partition_date from raw.shop_orders order by order_id",
    )
    assert got == [
        # 09:30 in Ho Chi Minh City is 02:30 UTC; the BOM did not leak into the first header.
        (
            "A1",
            "Nguyễn Văn Ấn",
            datetime(2025, 7, 1, 2, 30),
            datetime(2025, 7, 1, 2, 30),
            pytest.approx(1250000),
            "shop",
            "shop/orders_2025-07-01.csv",
            2,
            DAY,
        ),
        (
            "A2",
            "Trần Thị Bích",
            datetime(2025, 7, 1, 16, 59),
            datetime(2025, 7, 1, 10, 0),
            pytest.approx(99000.5),
            "shop",
            "shop/orders_2025-07-01.csv",
            3,
            DAY,
        ),
    ]


def test_bad_rows_go_to_quarantine_with_rule_column_and_line(con, write_config, landing):
    (source,) = write_config()
    bad = (
        "B1,x,31/02/2025 10:00,,100,Mới,1,5\n"  # line 4: impossible date
        "B2,x,01/07/2025 10:00,,N/A,Mới,1,5\n"  # line 5: amount N/A -> unparseable
        "B3,x,01/07/2025 10:00,,100,Pending,1,5\n"  # line 6: unknown status
        "B4,x,01/07/2025 10:00,,100,Mới,6,5\n"  # line 7: score above its own scale
        "B5,x,01/07/2025 10:00,,-5,Mới,1,5\n"  # line 8: negative amount
        ",x,01/07/2025 10:00,,100,Mới,1,5\n"  # line 9: missing key
        "B8,x,01/07/2099 10:00,,100,Mới,1,5\n"  # line 10: ordered in the future
        'B7,"unbalanced,01/07/2025 10:00\n'  # line 11: malformed
    )
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS + bad)
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (10, 2, 8)
    got = rows(con, "select _source_row, rule, column_name from quarantine.shop_orders order by 1")
    assert got == [
        (4, "unparseable", "ordered_at"),
        (5, "unparseable", "amount"),
        (6, "unknown_value", "status"),
        (7, "out_of_range", "score"),
        (8, "out_of_range", "amount"),
        (9, "missing_required", "order_id"),
        (10, "in_future", "ordered_at"),
        (11, "malformed_line", None),
    ]
    reason = rows(con, "select reason from quarantine.shop_orders where _source_row = 4")[0][0]
    assert "31/02/2025" in reason and "%d/%m/%Y %H:%M" in reason
    assert rows(con, "select order_id from raw.shop_orders order by 1") == [("A1",), ("A2",)]
    refresh_reconciliation(con, [source])
    assert rows(
        con, "select rows_read, rows_loaded, rows_quarantined, is_balanced from quarantine.reconciliation"
    ) == [(10, 2, 8, True)]


def test_reload_replaces_partition_and_duplicate_export_is_skipped(con, write_config, landing):
    (source,) = write_config()
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS)
    load_partition(con, source, landing, DAY)
    load_partition(con, source, landing, DAY)
    assert rows(con, "select count(*) from raw.shop_orders") == [(2,)]
    # The same export delivered a second time under another name changes nothing.
    write(landing, "orders_2025-07-01 (1).csv", HEADER + GOOD_ROWS)
    result = load_partition(con, source, landing, DAY)
    assert [f.status for f in result.files] == ["loaded", "duplicate"]
    assert result.files[1].duplicate_of == "shop/orders_2025-07-01.csv"
    assert rows(con, "select count(*) from raw.shop_orders") == [(2,)]
    # Other partitions are untouched by a re-load.
    write(landing, "orders_2025-07-02.csv", HEADER + GOOD_ROWS.replace("A", "C"))
    load_partition(con, source, landing, date(2025, 7, 2))
    load_partition(con, source, landing, DAY)
    assert rows(con, "select _partition_date, count(*) from raw.shop_orders group by 1 order by 1") == [
        (DAY, 2),
        (date(2025, 7, 2), 2),
    ]


def test_renamed_column_stops_the_source_and_extra_column_is_recorded(con, write_config, landing):
    (source,) = write_config()
    write(landing, "orders_2025-07-01.csv", HEADER.replace("Thành tiền", "Tổng tiền") + GOOD_ROWS)
    with pytest.raises(SchemaDriftError, match=r"shop_orders.*orders_2025-07-01.csv.*Thành tiền"):
        load_partition(con, source, landing, DAY)
    assert rows(con, "select count(*) from raw.shop_orders") == [(0,)]
    write(landing, "orders_2025-07-01.csv", HEADER.replace("\n", ",Kho\n") + GOOD_ROWS.replace("\n", ",HN\n"))
    result = load_partition(con, source, landing, DAY)
    assert result.rows_loaded == 2 and result.files[0].extra_columns == ["Kho"]


def test_empty_file_is_recorded_not_lost(con, write_config, landing):
    (source,) = write_config()
    (landing / "shop").mkdir()
    (landing / "shop" / "orders_2025-07-01.csv").write_bytes(b"")
    result = load_partition(con, source, landing, DAY)
    assert [f.status for f in result.files] == ["empty"]
    assert rows(con, "select status, rows_read from meta.ingested_files") == [("empty", 0)]


NDJSON_CONFIG = """
sources:
  - name: tickets
    domain: customer_service
    files: helpdesk/tickets_{date}.ndjson
    format: ndjson
    primary_key: [ticket_id]
    row_date: created_at
    columns:
      ticket_id: {source: id, type: text, required: true}
      created_at: {source: created_at, type: timestamp, format: iso, required: true}
      channel: {source: via.channel, type: text}
      is_public: {source: public, type: boolean}
"""


def test_ndjson_nested_paths_and_truncated_line(con, write_config, landing):
    (source,) = write_config(NDJSON_CONFIG)
    path = landing / "helpdesk" / "tickets_2025-07-01.ndjson"
    path.parent.mkdir()
    path.write_text(
        '{"id": 1, "created_at": "2025-07-01T03:00:00Z", "via": {"channel": "email"}, "public": true}\n'
        '{"id": 2, "created_at": "2025-07-01T10:00:00+07:00", "via": {"channel": "zalo"}, '
        '"subject": "Đơn hàng chưa tới"}\n'
        '{"id": 3, "created_at": "2025-07-01T0\n',
        encoding="utf-8",
    )
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert rows(
        con, "select ticket_id, created_at, channel, is_public, _source_row from raw.tickets order by 1"
    ) == [
        ("1", datetime(2025, 7, 1, 3), "email", True, 1),
        ("2", datetime(2025, 7, 1, 3), "zalo", None, 2),
    ]
    assert rows(con, "select _source_row, rule from quarantine.tickets") == [(3, "malformed_line")]


AMOUNT_REASON = (
    "cannot parse as decimal (thousands '.', decimal mark ',', at most 6 decimal places, "
    "negatives as -1250, symbols ₫): "
)
XLSX_CONFIG = """
sources:
  - name: manual_orders
    domain: sales
    files: manual/don_hang_{date}.xlsx
    format: xlsx
    sheet: Đơn hàng
    primary_key: [order_id]
    row_date: ordered_at
    timezone: Asia/Ho_Chi_Minh
    columns:
      order_id: {source: Mã đơn, type: text, required: true}
      ordered_at: {source: Ngày đặt, type: timestamp, format: "%d/%m/%Y %H:%M", required: true}
      amount: {source: Thành tiền, type: decimal, thousands: ".", decimal_mark: ",", symbols: [₫], min: 0}
      note: {source: Ghi chú, type: text}
"""


def test_xlsx_with_vietnamese_headers_and_amounts(con, write_config, landing):
    import openpyxl

    (source,) = write_config(XLSX_CONFIG)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Đơn hàng"
    sheet.append(["Mã đơn", "Ngày đặt", "Thành tiền", "Ghi chú"])
    sheet.append(["FB-001", "01/07/2025 20:15", "1.250.000 ₫", "Giao giờ hành chính"])
    sheet.append([None, None, None, None])  # blank row in a hand-kept sheet: skipped
    sheet.append(["FB-002", "01/07/2025 21:00", "một triệu", None])  # amount in words
    # A numeric cell is a number, not text for the sheet's "." thousands rule (was 6,500,005).
    sheet.append(["FB-003", datetime(2025, 7, 1, 21, 30), 650000.5, None])
    sheet.append(["FB-004", "01/07/2025 22:00", "(129.000)", None])  # an accounting negative
    (landing / "manual").mkdir()
    workbook.save(landing / "manual" / "don_hang_2025-07-01.xlsx")
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert rows(con, "select order_id, ordered_at, amount, note, _source_row from raw.manual_orders") == [
        ("FB-001", datetime(2025, 7, 1, 13, 15), 1250000, "Giao giờ hành chính", 2),
        ("FB-003", datetime(2025, 7, 1, 14, 30), Decimal("650000.5"), None, 5),
    ]
    assert rows(con, "select _source_row, rule, column_name, reason from quarantine.manual_orders") == [
        (4, "unparseable", "amount", AMOUNT_REASON + "một triệu"),
        (6, "unparseable", "amount", AMOUNT_REASON + "(129.000)"),
    ]


def test_identical_header_only_exports_of_different_days_are_not_duplicates(con, write_config, landing):
    (source,) = write_config()
    write(landing, "orders_2025-07-01.csv", HEADER)
    write(landing, "orders_2025-07-02.csv", HEADER)
    load_partition(con, source, landing, DAY)
    result = load_partition(con, source, landing, date(2025, 7, 2))
    assert [f.status for f in result.files] == ["loaded"]


def test_ndjson_blank_lines_and_windows_line_ends_keep_line_numbers(con, write_config, landing):
    (source,) = write_config(NDJSON_CONFIG)
    path = landing / "helpdesk" / "tickets_2025-07-01.ndjson"
    path.parent.mkdir()
    path.write_bytes(
        b'\xef\xbb\xbf{"id": 1, "created_at": "2025-07-01T03:00:00Z", '
        b'"via": {"channel": "web"}, "public": true}'
        b"\r\n\r\n"
        b'{"id": 2, "created_at": "2025-07-01T04:00:00Z", "subject": "a \\"quoted\\", comma"}\r\n'
        b"not json\r\n"
    )
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert rows(con, "select ticket_id, _source_row from raw.tickets order by 1") == [("1", 1), ("2", 3)]
    assert rows(con, "select _source_row, rule from quarantine.tickets") == [(4, "malformed_line")]


@pytest.mark.parametrize("batch_bytes", [256 * 2**20, 1], ids=["one batch", "a batch per file"])
def test_a_run_of_several_days_numbers_lines_per_file_and_loads_all_or_nothing(
    con, write_config, landing, monkeypatch, batch_bytes
):
    """A run reads its files together (one scan per header shape, in batches of whole files):
    each file keeps its own line numbers, also after another file's malformed line, and a broken
    file leaves every partition of the run as it was."""
    monkeypatch.setenv("CX_INGEST_BATCH_BYTES", str(batch_bytes))
    (source,) = write_config()
    days = [date(2025, 7, d) for d in (1, 2, 3)]
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS)
    malformed = "B1,x,01/07/2025 10:00,,100,Mới,1,5,too,many\n"  # line 3 of day 2; 4 and 5 follow
    write(
        landing,
        "orders_2025-07-02.csv",
        HEADER
        + GOOD_ROWS[: GOOD_ROWS.index("\n") + 1].replace("A1", "C1")
        + malformed
        + GOOD_ROWS.replace("A", "D"),
    )
    with_extra = HEADER.replace("\n", ",Kho\n") + GOOD_ROWS.replace("A", "E").replace("\n", ",HN\n")
    write(landing, "orders_2025-07-03.csv", with_extra)  # another header shape: another scan

    results = load_partitions(con, source, landing, days)
    assert [(r.rows_read, r.rows_loaded, r.rows_quarantined) for r in results] == [
        (2, 2, 0),
        (4, 3, 1),
        (2, 2, 0),
    ]
    assert results[2].files[0].extra_columns == ["Kho"]
    assert rows(con, "select order_id, _source_file, _source_row from raw.shop_orders order by 2, 3") == [
        ("A1", "shop/orders_2025-07-01.csv", 2),
        ("A2", "shop/orders_2025-07-01.csv", 3),
        ("C1", "shop/orders_2025-07-02.csv", 2),
        ("D1", "shop/orders_2025-07-02.csv", 4),
        ("D2", "shop/orders_2025-07-02.csv", 5),
        ("E1", "shop/orders_2025-07-03.csv", 2),
        ("E2", "shop/orders_2025-07-03.csv", 3),
    ]
    assert rows(con, "select _source_file, _source_row, rule from quarantine.shop_orders") == [
        ("shop/orders_2025-07-02.csv", 3, "malformed_line")
    ]

    # Day 3 re-delivered with a renamed column: the run fails and days 1-3 keep their rows.
    write(landing, "orders_2025-07-03.csv", with_extra.replace("Thành tiền", "Tổng tiền"))
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS.replace("A", "F"))
    with pytest.raises(SchemaDriftError, match="orders_2025-07-03.csv"):
        load_partitions(con, source, landing, days)
    assert rows(con, "select count(*), count(*) filter (where order_id like 'A%') from raw.shop_orders") == [
        (7, 2)
    ]
    assert rows(con, "select count(*) from meta.ingested_files") == [(3,)]
