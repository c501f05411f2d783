"""Fault injection: each kind of bad input, injected into a copy of the sample, is caught by the
right check with a message naming the source, column and rule; bad rows are in quarantine; and
a fault that blocks leaves the marts (warehouse and published) exactly as they were.

Each scenario copies the state of the session's baseline run (conftest.sample_baseline: seven days
of the sample, published), damages the eighth day's exports, and runs the job for that day.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import pytest

from tests.faults import (
    DAY,
    MARTS,
    Scenario,
    edit_csv,
    failure,
    set_value,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def scenario(sample_baseline, tmp_path):
    return Scenario(sample_baseline, tmp_path)


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
