"""Fault injection in the values and bytes of an export (stray quotes, damaged bytes, values that
used to change silently, day and month swapped): each is quarantined or blocks, as test_faults.py
describes; the scenario is the same (tests/faults.py).
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from decimal import Decimal

import dagster as dg
import pytest

from tests.faults import (
    DAY,
    Scenario,
    edit_csv,
    edit_xlsx,
    failure,
    lose_letters,
    mixed_line_ends,
    set_value,
    swap_day_and_month,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def scenario(sample_baseline, tmp_path):
    return Scenario(sample_baseline, tmp_path)


def test_a_stray_quote_and_damaged_bytes_cost_their_own_lines(scenario):
    """An opening quote that never closes on line 15 of the day's call records (DuckDB read lines
    15-30 as one record), mixed line ends in the website orders and the tickets, a NUL byte inside
    an order number (line 10) and a second export's BOM before line 20: each costs its own line,
    the run goes on, and reconciliation balances in rows and in lines."""
    calls = scenario.export("support/callcenter/call_records_{date}.csv")
    lines = calls.read_bytes().split(b"\n")
    assert len(lines) == 31 and lines[-1] == b""  # a header and 29 calls, each line ends with LF
    call_id = lines[14].split(b",")[0].decode()
    lines[14] = lines[14].replace(b",", b',"', 1)  # the caller's number opens a quote
    calls.write_bytes(b"\n".join(lines))
    web = scenario.export("sales/web/web_orders_{date}.csv")
    lines = mixed_line_ends(web)
    assert len(lines) == 108
    lines[9] = lines[9][:4] + b"\x00" + lines[9][4:]
    order_id = lines[19].split(b",")[0].decode()
    lines[19] = b"\xef\xbb\xbf" + lines[19]
    web.write_bytes(b"".join(line + (b"\r\n" if n % 2 else b"\n") for n, line in enumerate(lines)))
    tickets = len(mixed_line_ends(scenario.export("support/helpdesk/tickets_{date}.ndjson")))

    result, checks = scenario.run()

    assert result.success
    ((line, rule, reason),) = scenario.query(
        "select _source_row, rule, reason from quarantine.call_records where _partition_date = ?", [DAY]
    )
    assert (line, rule) == (15, "malformed_line") and reason.endswith("; read again from line 16")
    assert scenario.query(
        "select count(*), count(*) filter (where call_id = ?) from raw.call_records "
        "where _partition_date = ?",
        [call_id, DAY],
    ) == [(28, 0)]
    assert scenario.query(
        "select _source_row, reason from quarantine.web_orders where _partition_date = ?", [DAY]
    ) == [(10, "NUL BYTE: a NUL byte (0x00) in column 'Name'; a damaged export?")]
    assert scenario.query(
        "select count(*), count(*) filter (where contains(order_id, '\ufeff')), "
        "any_value(order_id) filter (where _source_row = 20) from raw.web_orders where _partition_date = ?",
        [DAY],
    ) == [(106, 0, order_id)]
    assert scenario.query("select count(*) from raw.helpdesk_tickets where _partition_date = ?", [DAY]) == [
        (tickets,)
    ]
    assert scenario.query(
        "select source, rows_read, rows_loaded, rows_quarantined, lines_read, lines_loaded, "
        "lines_quarantined, lines_skipped from quarantine.reconciliation "
        "where partition_date = ? and source in ('call_records', 'web_orders', 'helpdesk_tickets') "
        "order by 1",
        [DAY],
    ) == [
        ("call_records", 29, 28, 1, 30, 28, 1, 1),
        ("helpdesk_tickets", tickets, tickets, 0, tickets, tickets, 0, 0),
        ("web_orders", 107, 106, 1, 108, 106, 1, 1),
    ]
    assert scenario.query("select count(*) from quarantine.reconciliation where not is_balanced") == [(0,)]
    assert checks["call_records"].severity == dg.AssetCheckSeverity.WARN


def test_values_that_used_to_change_silently_are_quarantined_and_the_run_publishes(scenario):
    """Issue 22 and issue 17 item 5, one damaged day: numbers that used to load changed, an event
    dated after its export, a corrected copy of an export that changes one record, a primary key
    repeated with other content, XLSX numeric cells, and comments that lost their letters. Each
    is kept aside (or reported) with its reason and file:line; the good rows publish."""
    bad = {}

    def web(header, rows):  # (129000), 1.5 and 0x10; and a day-7 line exported again, repriced
        for row, column, value in zip(
            rows,
            ("Lineitem price", "Lineitem quantity", "Lineitem price"),
            ("(129000)", "1.5", "0x10"),
            strict=False,
        ):
            row[header.index(column)] = value
        day7 = scenario.export("sales/web/web_orders_2025-07-07.csv")
        _, *earlier = list(csv.reader(io.StringIO(day7.read_text(encoding="utf-8-sig"))))
        names = [row[header.index("Name")] for row in earlier]  # an order's only (so latest) version
        today = {row[header.index("Name")] for row in rows}
        again = next(list(row) for row in earlier if names.count(row[0]) == 1 and row[0] not in today)
        price = header.index("Lineitem price")
        again[price] = str(int(again[price]) + 1000)
        bad["reexported"] = (again[header.index("Name")], again[header.index("Lineitem sku")], again[price])
        return [*rows, again]

    def calls(header, rows):  # one call with day and month swapped
        set_value(
            rows, header, "Start Time", "07/08/2025 09:30:00", lambda r: r["Start Time"].startswith("08/07/")
        )
        return rows

    def pos(header, rows):  # a receipt line again with another quantity: no version orders them
        again = list(rows[0])
        again[header.index("qty")] = str(int(again[header.index("qty")]) + 1)
        bad["receipt"] = again[header.index("receipt_no")]
        return [*rows, again]

    def corrected(header, rows):  # a corrected copy of the export: one price changed
        price = header.index("Giá ưu đãi")
        rows[0][price] = str(int(rows[0][price]) + 1000)
        return rows

    def surveys(header, rows):  # every comment of the export lost its Vietnamese letters
        for row in rows:
            row[header.index("Comment")] = lose_letters(row[header.index("Comment")])
        return rows

    def sheet(header, rows):  # a price typed as a number, and an accounting negative as text
        price = header.index("Đơn giá")
        rows[0][price].value = 650000.5
        rows[1][price].value = "(129.000)"
        bad["sheet"] = rows[0][header.index("Mã đơn")].value

    edit_csv(scenario.export("sales/web/web_orders_{date}.csv"), web)
    edit_csv(scenario.export("support/callcenter/call_records_{date}.csv"), calls)
    edit_csv(scenario.export("support/surveys/survey_responses_{date}.csv"), surveys)
    edit_xlsx(scenario.export("sales/manual/don_hang_thu_cong_{date}.xlsx"), sheet)
    edit_csv(scenario.export("sales/pos/pos_sales_{date}.csv"), pos, delimiter=";")
    shopee = scenario.export("sales/shopee/shopee_orders_{date}.csv")
    shutil.copyfile(shopee, shopee.with_name(shopee.stem + " (corrected).csv"))
    edit_csv(shopee.with_name(shopee.stem + " (corrected).csv"), corrected)

    result, checks = scenario.run()
    assert result.success  # kept aside, reported as warnings; the good rows publish

    def quarantined(source: str) -> list[tuple]:
        return scenario.query(
            f"select _source_file, _source_row, rule, column_name, reason from quarantine.{source} "
            "where _partition_date = ? order by 1, 2",
            [DAY],
        )

    web_rules = [
        (rule, column, reason.rsplit(": ", 1)[-1]) for _, _, rule, column, reason in quarantined("web_orders")
    ]
    assert web_rules == [
        ("unparseable", "unit_price", "(129000)"),
        ("unparseable", "quantity", "1.5"),
        ("unparseable", "unit_price", "0x10"),
    ]
    ((_, _, rule, column, reason),) = quarantined("call_records")
    assert (rule, column) == ("after_export", "queued_at")
    assert (
        reason
        == "2025-08-07 02:30:00 UTC is after the export day 2025-07-08 in Asia/Ho_Chi_Minh (+1 day allowed)"
    )
    pos_rows = quarantined("pos_sales")
    assert [(rule, column) for _, _, rule, column, _ in pos_rows] == [("conflicting_record", "quantity")] * 2
    places = f"sales/pos/pos_sales_{DAY}.csv:2, sales/pos/pos_sales_{DAY}.csv:{pos_rows[1][1]}"
    assert pos_rows[0][4].startswith(f"same order_id, sku ({bad['receipt']}, ")
    assert pos_rows[0][4].endswith(f"but different quantity: {places}")
    shopee_rows = quarantined("shopee_orders")
    assert [(file, line, rule, column) for file, line, rule, column, _ in shopee_rows] == [
        (f"sales/shopee/shopee_orders_{DAY} (corrected).csv", 2, "conflicting_record", "unit_price"),
        (f"sales/shopee/shopee_orders_{DAY}.csv", 2, "conflicting_record", "unit_price"),
    ]
    assert shopee_rows[0][4].endswith(
        f"but different unit_price: sales/shopee/shopee_orders_{DAY} (corrected).csv:2, "
        f"sales/shopee/shopee_orders_{DAY}.csv:2"
    )
    sheet_rows = quarantined("manual_orders")
    assert [
        (line, rule, column, reason.rsplit(": ", 1)[-1]) for _, line, rule, column, reason in sheet_rows
    ] == [(3, "unparseable", "unit_price", "(129.000)")]
    assert scenario.query(
        "select order_id, unit_price from raw.manual_orders where _partition_date = ? and _source_row = 2",
        [DAY],
    ) == [(bad["sheet"], Decimal("650000.5"))]

    for source, rule in (
        ("web_orders", "quarantine: unparseable"),
        ("call_records", "quarantine: after_export"),
        ("pos_sales", "quarantine: conflicting_record"),
        ("shopee_orders", "quarantine: conflicting_record"),
        ("manual_orders", "quarantine: unparseable"),
        ("survey_responses", "expect_text_without_question_marks_in_words"),
    ):
        assert checks[source].severity == dg.AssetCheckSeverity.WARN and not checks[source].passed, source
        reported = [
            f for f in checks[source].metadata["failed_expectations"].value if f["expectation"] == rule
        ]
        assert reported and {f["severity"] for f in reported} == {"warning"}, source
    lost = failure(checks["survey_responses"], "expect_text_without_question_marks_in_words")
    assert lost["column"] == "comment" and "?" in lost["sample_values"][0]
    assert f"(support/surveys/survey_responses_{DAY}.csv:" in lost["sample_values"][0]
    assert scenario.query("select count(*) from quarantine.reconciliation where not is_balanced") == [(0,)]

    # The same line and version exported on two days: the later export day wins (staging).
    order_id, sku, price = bad["reexported"]
    assert scenario.query(
        "select unit_price, _partition_date from staging.stg_sales__order_lines "
        "where order_id = ? and sku = ? and _source = 'web_orders'",
        [order_id, sku],
    ) == [(Decimal(price), date(2025, 7, 8))]
    materialized = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert "published" in materialized


def test_an_export_with_day_and_month_swapped_blocks_and_nothing_is_rebuilt(scenario):
    """The whole call-centre export written with day and month swapped (7 August in the export of
    8 July): every call is after its export, quarantined; above 5% of the rows read the check is an
    error, which blocks the marts, and they stay exactly as they were."""

    def swapped(header, rows):
        for row in rows:
            for column in ("Start Time", "Answer Time", "End Time"):
                row[header.index(column)] = swap_day_and_month(row[header.index(column)])
        return rows

    edit_csv(scenario.export("support/callcenter/call_records_{date}.csv"), swapped)

    result, checks = scenario.run()

    check = checks["call_records"]
    assert check.severity == dg.AssetCheckSeverity.ERROR and not check.passed
    reported = failure(check, "quarantine: after_export")
    assert reported["severity"] == "error" and reported["column"] == "queued_at"
    assert (
        "is after the export day 2025-07-08 in Asia/Ho_Chi_Minh (+1 day allowed)"
        in reported["sample_values"][0]
    )
    assert scenario.query(
        "select count(*) from raw.call_records where _partition_date = ? and queued_at >= '2025-07-10'", [DAY]
    ) == [(0,)]
    assert scenario.query("select count(*) from quarantine.reconciliation where not is_balanced") == [(0,)]
    scenario.assert_nothing_rebuilt_or_published(result)
