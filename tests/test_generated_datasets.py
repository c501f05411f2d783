"""The pipeline on other generated datasets than the sample: other seeds, start dates and scales.
Legitimate data must never block publishing; the tests' own sample passing proves little, since
it is one dataset. Each dataset runs as `make bench` runs it (generate, then the job over its days
in a child process, with the partitions starting on its first day) and must publish, with
reconciliation balanced and every returned unit counted once.

The first two hold a day on which a small channel's returns (of earlier sales) exceed its units
sold: a return rate of 2.0 by the period of the return, which stopped publishing before the return
rate became a cohort of the period's sales (issue 23: the generator at 2024-01-01, scale 1 and 2).
In the third, a Facebook campaign's first day reports more clicks than impressions, as ad
platforms do at times: its CTR above 1 is a warning of the mart check, and is published.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from orchestration.bench import benchmark
from tests.test_faults import edit_csv, set_value

pytestmark = pytest.mark.slow

DATASETS = [
    # start, days, scale, seed, has a day whose returns exceed its units sold (zalo on 9 January;
    # tiktok_shop on 20 March), a CTR above 1
    pytest.param(date(2024, 1, 1), 10, 1.0, 8, True, False, id="2024-01-01-scale-1-seed-8"),
    pytest.param(date(2024, 3, 1), 21, 0.2, 1, True, False, id="2024-03-01-scale-0.2-seed-1"),
    # across a year boundary (ISO week 2026-W01 starts on 29 December 2025), twice the sample's scale
    pytest.param(date(2025, 12, 22), 12, 2.0, 3, False, True, id="2025-12-22-scale-2-seed-3"),
]


def clicks_above_impressions(header, rows):
    row = set_value(rows, header, "Impressions", "4")
    row[header.index("Link clicks")] = "5"
    return rows


@pytest.mark.parametrize(("start", "days", "scale", "seed", "returns_exceed_sales", "ctr_above_1"), DATASETS)
def test_generated_dataset_publishes_and_balances(
    tmp_path, start, days, scale, seed, returns_exceed_sales, ctr_above_1
):
    out = tmp_path / "bench"
    try:
        benchmark(out, start, days, scale, ["generate"], seed)
        if ctr_above_1:
            facebook = out / "landing" / "marketing" / "facebook_ads" / f"facebook_ads_{start}.csv"
            edit_csv(facebook, clicks_above_impressions)
        benchmark(out, start, days, scale, ["full"], seed)
    except SystemExit as failed:  # the job failed: its log's tail, and the blocking checks that failed
        pytest.fail(str(failed)[-3000:])

    con = duckdb.connect(str(out / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        assert con.execute(
            "select count(*) from quarantine.reconciliation where not is_balanced"
        ).fetchone() == (0,)
        assert con.execute(
            "select count(distinct partition_date) from quarantine.reconciliation"
        ).fetchone() == (days,)
        marts = {
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
        returned, sold_returned, unmatched, max_rate, max_by_return_period = con.execute(
            "select sum(units_returned), sum(units_sold_returned), sum(units_returned_unmatched), "
            "max(return_rate), max(return_rate_by_return_period) "
            "from marts.sales_kpis where period_grain = 'day' and sales_channel <> 'all'"
        ).fetchone()
    finally:
        con.close()
    # Every unit returned counts once: in the cohort of its sale, or unmatched in its request's day.
    assert returned > 0 and returned == sold_returned + unmatched
    assert max_rate <= 1
    assert (max_by_return_period > 1) is returns_exceed_sales

    reader = duckdb.connect(str(out / "published" / "marts.duckdb"), read_only=True)
    try:
        published = {t for (t,) in reader.execute("select table_name from duckdb_tables()").fetchall()}
        (rows,) = reader.execute("select count(*) from sales_kpis").fetchone()
        (max_ctr,) = reader.execute("select max(ctr) from marketing_kpis").fetchone()
    finally:
        reader.close()
    assert published == marts and len(marts) == 10 and rows > 0
    assert (max_ctr == 1.25) is ctr_above_1
    # The CTR's warning, as Great Expectations stored it.
    (stored,) = (out / "quality").rglob("validations/marts/marketing_kpis/**/*.json")
    failed = [
        (r["expectation_config"]["kwargs"].get("column"), r["expectation_config"]["meta"]["severity"])
        for r in json.loads(stored.read_text(encoding="utf-8"))["results"]
        if not r["success"]
    ]
    assert failed == ([("ctr", "warning")] if ctr_above_1 else [])
