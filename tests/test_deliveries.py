"""Expected deliveries: a missing export is an error of the raw check, named with source and day,
and `make manifest` hands the expectations to dbt in the seed sources__expected_deliveries."""

from __future__ import annotations

from datetime import date, timedelta

from orchestration.lib.generate import expected_deliveries_csv
from orchestration.lib.ingest import ensure_tables
from orchestration.lib.quality import missing_export_failures

from .conftest import ORDERS_CONFIG

WEEKDAYS_FROM_JULY = (
    "    domain: sales\n    expected: [mon, tue, wed, thu, fri]\n    expected_from: 2025-07-01\n"
    "    known_missing: [2025-07-03]"
)


def test_missing_exports_are_errors_named_with_source_and_day(write_config, con):
    (source,) = write_config(ORDERS_CONFIG.replace("    domain: sales", WEEKDAYS_FROM_JULY, 1))
    ensure_tables(con, source)
    con.execute(
        "insert into meta.ingested_files (source, partition_date, file_path, status) values "
        "('shop_orders', '2025-07-02', 'shop/orders_2025-07-02.csv', 'loaded'), "
        "('shop_orders', '2025-07-04', 'shop/orders_2025-07-04.csv', 'empty'), "
        "('other', '2025-07-01', 'other/x_2025-07-01.csv', 'loaded')"
    )
    week = [date(2025, 6, 30) + timedelta(days=n) for n in range(7)]  # Monday to Sunday

    failures = missing_export_failures(con, source, week)

    # Monday 30 June is before expected_from; Wednesday 2 and Friday 4 (an empty file) landed;
    # the weekend is not expected; Thursday 3 is missing but known to be lost.
    assert [(f.sample_values[0]["partition"], f.severity) for f in failures] == [
        ("2025-07-01", "error"),
        ("2025-07-03", "warning"),
    ]
    error, known = failures
    assert error.expectation == "expect_export_delivered" and error.unexpected_count == 1
    assert error.detail.startswith(
        "2025-07-01: no export of source 'shop_orders' landed (shop/orders_2025-07-01*.csv under the "
        "landing folder); land it and re-run the day"
    )
    assert known.detail.endswith("; listed in known_missing")


def test_make_manifest_writes_the_expectations_for_dbt(write_config):
    (daily,) = write_config()
    (weekdays,) = write_config(
        ORDERS_CONFIG.replace("name: shop_orders", "name: pos_orders").replace(
            "    domain: sales", WEEKDAYS_FROM_JULY, 1
        )
    )
    (never,) = write_config(
        ORDERS_CONFIG.replace("name: shop_orders", "name: adhoc").replace(
            "    domain: sales", "    domain: sales\n    expected: never", 1
        )
    )
    header, *rows = expected_deliveries_csv([daily, weekdays, never]).splitlines()

    assert header == "source,iso_weekday,expected_from"
    assert rows == [f"shop_orders,{day}," for day in range(1, 8)] + [
        f"pos_orders,{day},2025-07-01" for day in range(1, 6)
    ]
