"""Fault injection: each kind of bad input, injected into a copy of the sample, is caught by the
right check with a message naming the source, column and rule; bad rows are in quarantine; and
a fault that blocks leaves the marts (warehouse and published) exactly as they were.

Each scenario copies the state of the session's baseline run (conftest.sample_baseline: seven days
of the sample, published), damages the eighth day's exports, and runs the job for that day.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.bench import mart_digests
from orchestration.defs.dbt.assets import MART_KEYS
from tests.pipeline import run_cx_daily

pytestmark = pytest.mark.slow

DAY = "2025-07-08"

MARTS = {key.path[-1] for key in MART_KEYS}


@pytest.fixture
def scenario(sample_baseline, tmp_path):
    """A copy of the baseline state, and a runner for the eighth day."""
    baseline = sample_baseline
    shutil.copytree(baseline / "landing", tmp_path / "landing")
    shutil.copytree(baseline / "published", tmp_path / "published", symlinks=True)
    shutil.copy(baseline / "cx.duckdb", tmp_path / "cx.duckdb")

    class Scenario:
        root = tmp_path
        landing = tmp_path / "landing"
        warehouse = tmp_path / "cx.duckdb"
        marts_before = mart_digests(tmp_path / "cx.duckdb")
        published_before = (tmp_path / "published" / "marts.duckdb").resolve().read_bytes()

        def export(self, pattern: str) -> Path:
            (path,) = self.landing.glob(pattern.format(date=DAY))
            return path

        def run(self, run_config: dict | None = None, day: str = DAY):
            with dg.instance_for_test() as instance:
                result = run_cx_daily(
                    instance, self.landing, self.warehouse, tmp_path / "published", day, day, run_config
                )
                checks = {
                    e.asset_key.path[-1]: e
                    for e in result.get_asset_check_evaluations()
                    if e.check_name == "quality"
                }
                return result, checks

        def query(self, sql: str, params=()):
            con = duckdb.connect(str(self.warehouse), read_only=True)
            try:
                return con.execute(sql, params).fetchall()
            finally:
                con.close()

        def assert_nothing_rebuilt_or_published(self, result):
            materialized = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
            assert "marts" not in materialized and "published" not in materialized
            assert mart_digests(self.warehouse) == self.marts_before
            published = (tmp_path / "published" / "marts.duckdb").resolve().read_bytes()
            assert published == self.published_before

    return Scenario()


def edit_csv(path: Path, edit, delimiter: str = ",") -> None:
    """Rewrite a CSV export: edit(header, rows) returns the new rows (BOM and dialect kept)."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *edit(header, rows)])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))


def set_value(rows, header, column: str, value: str, where=lambda row: True) -> list[str]:
    """Set `column` of the first row matching `where`; return that row."""
    row = next(r for r in rows if where(dict(zip(header, r, strict=True))))
    row[header.index(column)] = value
    return row


def failure(check, rule: str) -> dict:
    """The failed expectation of a check's metadata whose rule is `rule`."""
    failed = check.metadata["failed_expectations"].value
    (match,) = [f for f in failed if f["expectation"] == rule]
    return match


def test_row_level_faults_are_quarantined_reported_and_kept_out_of_the_marts(scenario):
    bad = {}

    def survey(header, rows):  # an NPS answer of 11 on a 0-10 scale
        row = set_value(rows, header, "Score", "11", lambda r: r["Question type"] == "NPS" and r["Score"])
        bad["survey"] = row[0]
        return rows

    def web(header, rows):  # a negative price, and a line exported twice
        set_value(rows, header, "Lineitem price", "-129000")
        return [*rows, rows[-1]]

    def tiktok(header, rows):  # a status the mapping does not know
        set_value(rows, header, "Order Status", "Đang bay")
        return rows

    def calls(header, rows):  # answered before it was queued, and a line with too many fields
        row = set_value(
            rows, header, "Answer Time", f"{DAY[8:]}/07/2025 00:00:00", lambda r: r["Answer Time"]
        )
        bad["call"] = row[0]
        return [*rows, [*rows[0][:-1], "x", "y", "z"]]

    edit_csv(scenario.export("support/surveys/survey_responses_{date}.csv"), survey)
    edit_csv(scenario.export("sales/web/web_orders_{date}.csv"), web)
    edit_csv(scenario.export("sales/tiktok/tiktok_orders_{date}.csv"), tiktok)
    edit_csv(scenario.export("support/callcenter/call_records_{date}.csv"), calls)

    result, checks = scenario.run()

    assert result.success  # a few bad rows are kept aside; the good ones go on to the marts
    expected = {
        ("survey_responses", "quarantine: out_of_range", "score"),
        ("web_orders", "quarantine: out_of_range", "unit_price"),
        ("web_orders", "quarantine: duplicate_row", "order_id, sku, updated_at"),
        ("tiktok_orders", "quarantine: unknown_value", "order_status"),
        ("call_records", "quarantine: out_of_order", "answered_at"),
        ("call_records", "quarantine: malformed_line", None),
    }
    for source, rule, column in expected:
        check = checks[source]
        assert check.severity == dg.AssetCheckSeverity.WARN and not check.passed
        reported = failure(check, rule)
        assert (reported["column"], reported["severity"], reported["unexpected_count"]) == (
            column,
            "warning",
            1,
        )
        assert f"{source}_{DAY}.csv:" in reported["sample_values"][0]
    reported = {
        (source, f"quarantine: {rule}", column)
        for source in ("survey_responses", "web_orders", "tiktok_orders", "call_records")
        for rule, column in scenario.query(
            f"select rule, column_name from quarantine.{source} where _partition_date = ?", [DAY]
        )
    }
    assert reported == expected
    assert scenario.query("select count(*) from quarantine.reconciliation where not is_balanced") == [(0,)]
    # The bad rows reached neither raw nor the marts.
    assert scenario.query("select count(*) from raw.survey_responses where score > 10") == [(0,)]
    assert scenario.query(
        "select count(*) from marts.feedback_verbatims where response_id = ?", [bad["survey"]]
    ) == [(0,)]
    assert scenario.query("select count(*) from raw.call_records where call_id = ?", [bad["call"]]) == [(0,)]
    assert scenario.query("select min(unit_price) from raw.web_orders")[0][0] >= 0


def test_missing_column_stops_the_source_and_nothing_is_rebuilt(scenario):
    path = scenario.export("shipping/ghn/ghn_waybills_{date}.csv")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",status,", ",trang_thai,", 1), encoding="utf-8")

    result, _ = scenario.run()

    assert not result.success
    (failed,) = [e for e in result.all_events if e.is_step_failure]
    message = failed.step_failure_data.user_failure_data.description
    assert f"source 'ghn_waybills', file shipping/ghn/ghn_waybills_{DAY}.csv: column(s) ['status']" in message
    scenario.assert_nothing_rebuilt_or_published(result)


@pytest.mark.parametrize(
    ("source", "damage"),
    [
        ("helpdesk_tickets", "empty"),  # an export of zero bytes
        ("shopee_orders", "drop"),  # three orders where a day has dozens
    ],
)
def test_volume_faults_fail_the_check_and_nothing_is_rebuilt(scenario, source, damage):
    pattern = {
        "helpdesk_tickets": "support/helpdesk/tickets_{date}.ndjson",
        "shopee_orders": "sales/shopee/shopee_orders_{date}.csv",
    }[source]
    path = scenario.export(pattern)
    if damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_text(
            "".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:4]), encoding="utf-8"
        )

    result, checks = scenario.run()

    check = checks[source]
    assert check.severity == dg.AssetCheckSeverity.ERROR and not check.passed
    reported = failure(check, "expect_partition_row_count_within_recent_range")
    assert reported["severity"] == "error" and reported["detail"].startswith(f"{DAY}: ")
    assert reported["sample_values"][0]["rows"] == (0 if damage == "empty" else 3)
    scenario.assert_nothing_rebuilt_or_published(result)


def test_a_missing_export_fails_the_check_and_a_later_run_publishes_its_day_as_incomplete(scenario):
    """The website's export of the eighth day never landed. Its day has no file in
    meta.ingested_files, so the volume rule never saw it; the expected-deliveries rule does, and
    blocks the run. A later run whose own exports are all there (a re-run of the seventh day here,
    the next night's run likewise) publishes the eighth day, marked incomplete, not as a day of 0
    website orders."""
    scenario.export("sales/web/web_orders_{date}.csv").unlink()

    result, checks = scenario.run()

    check = checks["web_orders"]
    assert check.severity == dg.AssetCheckSeverity.ERROR and not check.passed
    reported = failure(check, "expect_export_delivered")
    assert reported["severity"] == "error"
    assert reported["detail"].startswith(
        f"{DAY}: no export of source 'web_orders' landed (sales/web/web_orders_{DAY}*.csv under the "
        "landing folder); land it and re-run the day"
    )
    assert reported["sample_values"] == [{"partition": DAY, "files": f"sales/web/web_orders_{DAY}*.csv"}]
    errors = {name for name, c in checks.items() if c.severity == dg.AssetCheckSeverity.ERROR}
    assert errors == {"web_orders"}
    scenario.assert_nothing_rebuilt_or_published(result)
    assert scenario.query("select count(*) from quarantine.reconciliation where not is_balanced") == [(0,)]
    assert (
        scenario.query(
            "select source from quarantine.reconciliation where partition_date = ? and source = 'web_orders'",
            [DAY],
        )
        == []
    )  # nothing of the website was read for the day: no row, not a row of zeros

    result, checks = scenario.run(day="2025-07-07")

    assert result.success
    assert scenario.query("select source, business_date from intermediate.int_expected_exports_missing") == [
        ("web_orders", date(2025, 7, 8))
    ]
    assert scenario.query(
        "select period_start, orders, is_complete from marts.sales_kpis "
        "where period_grain = 'day' and sales_channel = 'website' and period_start >= '2025-07-07' "
        "order by 1"
    ) == [(date(2025, 7, 7), 25, True), (date(2025, 7, 8), 0, False)]
    for mart in sorted(MARTS - {"feedback_verbatims", "kpi_catalogue"}):
        flags = scenario.query(
            f"select period_start, bool_and(is_complete), bool_or(is_complete) from marts.{mart} "
            "where period_grain = 'day' and period_start >= '2025-07-07' group by 1 order by 1"
        )
        assert flags == [(date(2025, 7, 7), True, True), (date(2025, 7, 8), False, False)], mart
    published = duckdb.connect(str(scenario.root / "published" / "marts.duckdb"), read_only=True)
    try:
        assert published.execute(
            "select orders, is_complete from sales_kpis "
            "where period_grain = 'day' and sales_channel = 'website' and period_start = ?",
            [DAY],
        ).fetchall() == [(0, False)]
    finally:
        published.close()
    assert scenario.query("select count(*) from quarantine.reconciliation where not is_balanced") == [(0,)]


def test_a_broken_mart_blocks_publishing(scenario, monkeypatch):
    """A mart that breaks its suite (a duplicated key here) is built but never published."""
    from orchestration.lib import quality

    real = quality.validate_mart

    def duplicated_key(con, mart, run_name=None, render=True):
        if mart == "sales_kpis":
            con.execute("insert into marts.sales_kpis select * from marts.sales_kpis limit 1")
        return real(con, mart, run_name, render)

    monkeypatch.setattr("orchestration.defs.quality.checks.validate_mart", duplicated_key)

    result, checks = scenario.run()

    check = checks["sales_kpis"]
    assert check.severity == dg.AssetCheckSeverity.ERROR and not check.passed
    reported = failure(check, "expect_compound_columns_to_be_unique")
    assert (
        reported["column"] == "period_grain,period_start,sales_channel" and reported["unexpected_count"] == 2
    )
    assert [mart for mart in MARTS - {"sales_kpis"} if not checks[mart].passed] == []
    materialized = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert "marts" in materialized and "published" not in materialized
    published = (scenario.root / "published" / "marts.duckdb").resolve().read_bytes()
    assert published == scenario.published_before


def test_an_incremental_mart_out_of_sync_stops_dbt_until_a_full_refresh(scenario):
    """After an upgrade that changes an incremental mart's columns (here the stored table has one
    more), dbt stops instead of appending rows of another shape, and nothing is published; a run
    with full_refresh rebuilds the mart from all of history."""
    con = duckdb.connect(str(scenario.warehouse))
    con.execute("alter table marts.delivery_kpis add column retired_kpi double")
    con.close()

    result, _ = scenario.run()
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "cx_dbt_models" and "out of sync" in failure.message + str(
        failure.event_specific_data.error
    )
    materialized = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert "published" not in materialized

    result, _ = scenario.run({"ops": {"cx_dbt_models": {"config": {"full_refresh": True}}}})
    assert result.success
    columns = [
        c
        for (c,) in scenario.query(
            "select column_name from duckdb_columns() where table_name = 'delivery_kpis'"
        )
    ]
    assert "retired_kpi" not in columns and "on_time_delivery_rate" in columns
    assert scenario.query(
        "select count(*) from marts.delivery_kpis where period_grain = 'day' and period_start = '2025-07-01'"
    ) != [(0,)]


def mixed_line_ends(path: Path) -> list[bytes]:
    """Rewrite a text export with CRLF and LF alternating, as a file edited on two systems has;
    return its lines (without their ends)."""
    lines = path.read_bytes().removesuffix(b"\n").split(b"\n")
    path.write_bytes(b"".join(line + (b"\r\n" if n % 2 else b"\n") for n, line in enumerate(lines)))
    return lines


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


def edit_xlsx(path: Path, edit) -> None:
    """Rewrite an XLSX export's sheet: edit(header, rows) changes the rows' cells in place."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    edit(header, list(sheet.iter_rows(min_row=2)))
    workbook.save(path)


def swap_day_and_month(text: str) -> str:
    """'08/07/2025 10:11:12' as an export with the wrong date setting writes it: '07/08/2025 ...'."""
    return f"{text[3:5]}/{text[:2]}{text[5:]}" if text else text


def lose_letters(text: str) -> str:
    """Text through a tool without Vietnamese letters: every letter outside ASCII becomes '?'."""
    return "".join(char if ord(char) < 128 else "?" for char in text)


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
