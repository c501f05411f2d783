"""Ingestion's row rules: strict numbers, event dates against the export day, conflicting copies
and repeated keys, each quarantined with its rule, column and line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orchestration.lib.ingest import (
    load_partition,
    refresh_reconciliation,
)
from tests.test_ingest import AMOUNT_REASON, DAY, GOOD_ROWS, HEADER, rows, write


def test_numbers_are_parsed_strictly_and_the_rest_quarantined_with_the_value(con, write_config, landing):
    (source,) = write_config()
    bad = (
        "B1,x,01/07/2025 10:00,,(129.000),Mới,1,5\n"  # line 4: accounting negative, not allowed here
        "B2,x,01/07/2025 10:00,,100,Mới,1.5,5\n"  # line 5: a fraction in an integer column
        "B3,x,01/07/2025 10:00,,0x10,Mới,1,5\n"  # line 6: hexadecimal
        'B4,x,01/07/2025 10:00,,"1.250.000,1234567 ₫",Mới,1,5\n'  # line 7: a seventh decimal place
        'B5,x,01/07/2025 10:00,,"₫ 1.250.000,123456",Mới,1,5\n'  # line 8: six places, kept
    )
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS + bad)
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (7, 3, 4)
    got = rows(con, "select _source_row, rule, column_name, reason from quarantine.shop_orders order by 1")
    amount = AMOUNT_REASON
    assert got == [
        (4, "unparseable", "amount", amount + "(129.000)"),
        (5, "unparseable", "score", "cannot parse as integer (negatives as -1250): 1.5"),
        (6, "unparseable", "amount", amount + "0x10"),
        (7, "unparseable", "amount", amount + "1.250.000,1234567 ₫"),
    ]
    assert rows(con, "select amount from raw.shop_orders where order_id = 'B5'") == [
        (Decimal("1250000.123456"),)
    ]
    assert rows(con, "select data_type from duckdb_columns() where column_name = 'amount'") == [
        ("DECIMAL(18,6)",)
    ]


def test_decimals_of_an_older_raw_table_are_widened_not_rounded(con, write_config, landing):
    (source,) = write_config()
    con.execute("create schema raw")
    con.execute("create table raw.shop_orders (order_id varchar, amount decimal(18, 2))")
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS.replace('"99.000,50 ₫"', '"99.000,505 ₫"'))
    load_partition(con, source, landing, DAY)
    assert rows(con, "select amount from raw.shop_orders where order_id = 'A2'") == [(Decimal("99000.505"),)]


def test_event_dates_after_the_export_day_are_quarantined_in_the_sources_time_zone(
    con, write_config, landing
):
    """Day and month swapped (7 August in the export of 1 July... here 8 January in July's) cannot be
    caught by the wall clock; against the export day it can. The export day is local: 23:59 on
    2 July in Ho Chi Minh City (16:59 UTC) is within the day allowed after 1 July, 00:00 on 3 July
    (17:00 UTC on 2 July) is not."""
    (source,) = write_config()
    rows_ = (
        "C1,x,08/01/2025 10:00,,100,Mới,1,5\n"  # line 4: 8 January, before the export: fine
        "C2,x,07/08/2025 10:00,,100,Mới,1,5\n"  # line 5: 7 August in the export of 1 July
        "C3,x,01/07/2025 10:00,2025-07-02T16:59:00Z,100,Mới,1,5\n"  # line 6: 23:59 local on 2 July
        "C4,x,01/07/2025 10:00,2025-07-02T17:00:00Z,100,Mới,1,5\n"  # line 7: 00:00 local on 3 July
    )
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS + rows_)
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_loaded, result.rows_quarantined) == (4, 2)
    assert rows(
        con, "select _source_row, rule, column_name, reason from quarantine.shop_orders order by 1"
    ) == [
        (
            5,
            "after_export",
            "ordered_at",
            "2025-08-07 03:00:00 UTC is after the export day 2025-07-01 in Asia/Ho_Chi_Minh (+1 day allowed)",
        ),
        (
            7,
            "after_export",
            "updated_at",
            "2025-07-02 17:00:00 UTC is after the export day 2025-07-01 in Asia/Ho_Chi_Minh (+1 day allowed)",
        ),
    ]
    refresh_reconciliation(con, [source])
    assert rows(con, "select is_balanced from quarantine.reconciliation") == [(True,)]


DATES_CONFIG = """
sources:
  - name: waybills
    domain: delivery
    files: ship/waybills_{date}.csv
    primary_key: [waybill_id]
    row_date: created_on
    days_after_export: 0
    columns:
      waybill_id: {source: id, type: text, required: true}
      created_on: {source: created, type: date, format: "%d/%m/%Y", required: true}
      promised_on: {source: promised, type: date, format: "%d/%m/%Y", event: false}
"""


def test_dates_that_are_not_events_may_lie_after_the_export(con, write_config, landing):
    (source,) = write_config(DATES_CONFIG)
    path = landing / "ship" / "waybills_2025-07-01.csv"
    path.parent.mkdir()
    path.write_text(
        "id,created,promised\nW1,01/07/2025,04/07/2099\nW2,02/07/2025,04/07/2025\n", encoding="utf-8"
    )
    load_partition(con, source, landing, DAY)
    assert rows(con, "select waybill_id from raw.waybills") == [("W1",)]  # a promise, years ahead
    assert rows(con, "select _source_row, rule, reason from quarantine.waybills") == [
        (3, "after_export", "2025-07-02 is after the export day 2025-07-01 (+0 days allowed)")
    ]


@pytest.mark.parametrize("batch_bytes", [256 * 2**20, 1], ids=["one batch", "a batch per file"])
def test_a_corrected_copy_that_changes_a_record_of_the_same_version_is_a_conflict(
    con, write_config, landing, monkeypatch, batch_bytes
):
    """A corrected copy of the day's export under a new name: same keys and versions, one amount
    changed. Staging would pick one of the two A2 arbitrarily; both go to quarantine, each naming
    both places. The identical A1 loads from both files (staging keeps one; they are equal)."""
    monkeypatch.setenv("CX_INGEST_BATCH_BYTES", str(batch_bytes))
    (source,) = write_config()
    write(landing, "orders_2025-07-01.csv", HEADER + GOOD_ROWS)
    write(landing, "orders_2025-07-01_corrected.csv", HEADER + GOOD_ROWS.replace("99.000,50", "89.000,50"))
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    reason = (
        "same order_id, updated_at (A2, 2025-07-01 10:00:00) but different amount: "
        "shop/orders_2025-07-01.csv:3, shop/orders_2025-07-01_corrected.csv:3"
    )
    quarantined = "select _source_file, _source_row, rule, column_name, reason from quarantine.shop_orders"
    assert rows(con, quarantined + " order by 1") == [
        ("shop/orders_2025-07-01.csv", 3, "conflicting_record", "amount", reason),
        ("shop/orders_2025-07-01_corrected.csv", 3, "conflicting_record", "amount", reason),
    ]
    assert rows(con, "select order_id, count(*) from raw.shop_orders group by 1") == [("A1", 2)]
    refresh_reconciliation(con, [source])
    assert rows(
        con, "select rows_read, rows_loaded, rows_quarantined, is_balanced from quarantine.reconciliation"
    ) == [(4, 2, 2, True)]


def test_one_file_with_a_version_written_twice_differently_is_a_conflict_and_a_copy_a_repeat(
    con, write_config, landing
):
    (source,) = write_config()
    changed = GOOD_ROWS.splitlines()[1].replace("Đã giao", "Đã hủy")
    write(
        landing,
        "orders_2025-07-01.csv",
        HEADER + GOOD_ROWS + changed + "\n" + GOOD_ROWS.splitlines()[0] + "\n",
    )
    load_partition(con, source, landing, DAY)
    assert rows(
        con, "select _source_row, rule, column_name, reason from quarantine.shop_orders order by 1"
    ) == [
        (
            3,
            "conflicting_record",
            "status",
            "same order_id, updated_at (A2, 2025-07-01 10:00:00) but different status: "
            "shop/orders_2025-07-01.csv:3, shop/orders_2025-07-01.csv:4",
        ),
        (
            4,
            "conflicting_record",
            "status",
            "same order_id, updated_at (A2, 2025-07-01 10:00:00) but different status: "
            "shop/orders_2025-07-01.csv:3, shop/orders_2025-07-01.csv:4",
        ),
        (5, "duplicate_row", "order_id, updated_at", "same order_id and updated_at as line 2"),
    ]
    assert rows(con, "select order_id from raw.shop_orders") == [("A1",)]


KEYED_CONFIG = """
sources:
  - name: calls
    domain: customer_service
    files: calls/calls_{date}*.csv
    primary_key: [call_id]
    row_date: queued_at
    versioned_by_row_order: false
    columns:
      call_id: {source: id, type: text, required: true}
      queued_at: {source: queued, type: timestamp, format: "%Y-%m-%d %H:%M", required: true}
      status: {source: status, type: text}
"""
CALLS = "id,queued,status\nC1,2025-07-01 08:00,ANSWERED\nC2,2025-07-01 09:00,ABANDONED\n"


def test_a_primary_key_repeated_with_other_content_is_quarantined_with_both_lines(con, write_config, landing):
    """No version column, so nothing orders the two C1: today both loaded and a mart's uniqueness
    test failed later, publishing nothing. Now both are kept aside and the run goes on."""
    (source,) = write_config(KEYED_CONFIG)
    (landing / "calls").mkdir()
    repeated = "C1,2025-07-01 08:00,ABANDONED\nC2,2025-07-01 09:00,ABANDONED\n"  # lines 4, 5
    (landing / "calls" / "calls_2025-07-01.csv").write_text(CALLS + repeated, encoding="utf-8")
    result = load_partition(con, source, landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 1, 3)
    reason = (
        "same call_id (C1) but different status: calls/calls_2025-07-01.csv:2, calls/calls_2025-07-01.csv:4"
    )
    assert rows(con, "select _source_row, rule, column_name, reason from quarantine.calls order by 1") == [
        (2, "conflicting_record", "status", reason),
        (4, "conflicting_record", "status", reason),
        (5, "duplicate_row", None, "identical to line 3"),
    ]
    assert rows(con, "select call_id from raw.calls") == [("C2",)]


def test_a_source_versioned_by_row_order_repeats_its_keys(con, write_config, landing):
    """A hand-kept sheet lists an order again when its status changes: the later row is the newer
    version (staging keeps the last line), not a conflict; an identical row is still a repeat."""
    (source,) = write_config(
        KEYED_CONFIG.replace("versioned_by_row_order: false", "versioned_by_row_order: true")
    )
    (landing / "calls").mkdir()
    again = "C1,2025-07-01 08:00,ABANDONED\nC1,2025-07-01 08:00,ABANDONED\n"  # lines 4, 5
    (landing / "calls" / "calls_2025-07-01.csv").write_text(CALLS + again, encoding="utf-8")
    load_partition(con, source, landing, DAY)
    assert rows(con, "select call_id, status, _source_row from raw.calls order by 3") == [
        ("C1", "ANSWERED", 2),
        ("C2", "ABANDONED", 3),
        ("C1", "ABANDONED", 4),
    ]
    assert rows(con, "select _source_row, rule, reason from quarantine.calls") == [
        (5, "duplicate_row", "identical to line 4")
    ]
