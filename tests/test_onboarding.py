"""A retailer onboards by configuration alone: a new source with an entry in sources.yml (and seed
rows), another market with its settings. Each runs in a copy of the repository, as a retailer's
clone would, with the commands a user types.

The second market is Loja Aurora (tests/markets/aurora.py): a Brazilian shop whose history of 15
months comes as one file per table, exported on 31 March 2026, in São Paulo time and BRL with
cents, customers known only by ids. Every expected number below is computed by hand from the rows
written out in aurora.py.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.samples import generate
from tests.markets import aurora
from tests.pipeline import copy_project, run_in

pytestmark = pytest.mark.slow

BRAZIL = {
    "CX_BUSINESS_TIMEZONE": "America/Sao_Paulo",
    "CX_REPORTING_CURRENCY": "BRL",
    "CX_PHONE_COUNTRY_CODE": "55",
}


def readme_walkthrough() -> dict:
    """The README's "Adding a source" section: the export it lands, the sources.yml entry, the seed
    rows and the commands, as written there."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a source\n", 1)[1].split("\n## ", 1)[0]
    blocks = [
        (kind, "".join(line[len(indent) :] + "\n" for line in body.splitlines()))
        for indent, kind, body in re.findall(r"^( *)```(\w+)\n(.*?)\n\1```", section, re.M | re.S)
    ]
    (export, _), (entry, _), (seed, _), (commands, _) = [(body, kind) for kind, body in blocks]
    return {
        "export_path": re.search(r"land as\s+`data/landing/([^`]+)`", section).group(1),
        "export": export,
        "entry": entry,
        "seed_path": re.search(r"in `(dbt_project/seeds/[^`]+)`", section).group(1),
        "seed": seed,
        "commands": [shlex.split(line) for line in commands.splitlines() if line.strip()],
    }


def test_the_readme_walkthrough_adds_a_source(tmp_path):
    steps = readme_walkthrough()
    project = copy_project(tmp_path)
    landing = project / "data" / "landing"
    generate(landing, date(2025, 7, 1), 1, scale=0.2)
    (landing / steps["export_path"]).parent.mkdir(parents=True, exist_ok=True)
    (landing / steps["export_path"]).write_text(steps["export"], encoding="utf-8")
    with (project / "orchestration" / "sources.yml").open("a", encoding="utf-8") as sources:
        sources.write("\n" + steps["entry"])
    with (project / steps["seed_path"]).open("a", encoding="utf-8") as seed:
        seed.write(steps["seed"])
    for command in steps["commands"]:
        assert command[0] == "make"
        # The copy shares this checkout's virtual environment: it is installed, not to be redone.
        done = run_in(project, ["make", "-o", ".venv/.installed", *command[1:]])
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    marts = duckdb.connect(str(project / "data" / "published" / "marts.duckdb"), read_only=True)
    # SD1001: 2 x 149.000 + 89.000, delivered; SD1002: 149.000, cancelled.
    assert marts.execute(
        "select orders, cancelled_orders, units_sold, revenue_gross, revenue_net from sales_kpis "
        "where period_grain = 'day' and period_start = '2025-07-01' and sales_channel = 'sendo'"
    ).fetchone() == (2, 1, 3, Decimal("536000.0000"), Decimal("387000.0000"))
    assert (project / "expectations" / "suites" / "raw.sendo_orders.json").exists()
    # No customer identifier in the export: the warning names the channel.
    (results,) = (project / "dbt_project" / "target").glob("cx_dbt_models-*/run_results.json")
    warning = next(
        r
        for r in json.loads(results.read_text())["results"]
        if r["unique_id"].startswith("test.cx_warehouse.assert_every_sales_channel_has_customer_keys")
    )
    assert (warning["status"], warning["failures"]) == ("warn", 1)


def append_seed_rows(project, seed_rows: dict[str, list[tuple]]) -> None:
    for seed, rows in seed_rows.items():
        path = project / "dbt_project" / "seeds" / f"{seed}.csv"
        with path.open("a", encoding="utf-8") as handle:
            handle.writelines(",".join(row) + "\n" for row in rows)


@pytest.fixture(scope="module")
def aurora_marts(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("aurora"))
    aurora.write(project / "data" / "landing")
    (project / "orchestration" / "sources.yml").write_text(aurora.SOURCES_FILE.read_text(encoding="utf-8"))
    append_seed_rows(project, aurora.SEED_ROWS)
    for command in (
        [sys.executable, "-m", "orchestration.lib.generate"],
        [sys.executable, "-m", "orchestration.run"],
    ):
        done = run_in(project, command, **BRAZIL)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    con = duckdb.connect(str(project / "data" / "published" / "marts.duckdb"), read_only=True)
    yield con
    con.close()


def month(con, mart: str, columns: str, start: str, **where: str):
    filters = "".join(f" and {column} = '{value}'" for column, value in where.items())
    return con.execute(
        f"select {columns} from {mart} where period_grain = 'month' and period_start = '{start}'{filters}"
    ).fetchone()


def test_every_month_of_a_one_file_history_is_in_the_marts(aurora_marts):
    # 5 January 2025 .. the export day, 31 March 2026: 15 months, the last one complete.
    months = aurora_marts.execute(
        "select count(*), min(period_start), max(period_start) from sales_kpis "
        "where period_grain = 'month' and sales_channel = 'all'"
    ).fetchone()
    assert months == (15, date(2025, 1, 1), date(2026, 3, 1))


def test_orders_and_revenue_with_cents_per_month(aurora_marts):
    columns = "orders, cancelled_orders, units_sold, revenue_gross, revenue_net, average_order_value"
    # A1 (2 x 89,90) and A2 (1.039,20), ordered at 23:30 on 31 January in São Paulo: a January order
    # in the business time zone (February in UTC or in Vietnam).
    assert month(aurora_marts, "sales_kpis", columns, "2025-01-01", sales_channel="all") == (
        2,
        0,
        3,
        Decimal("1219.0000"),
        Decimal("1219.0000"),
        609.5,
    )
    # A3 (25,50), A4 cancelled (89,90), A5 cancelled without lines (0): counted from its header.
    assert month(aurora_marts, "sales_kpis", columns, "2025-02-01", sales_channel="all") == (
        3,
        2,
        1,
        Decimal("115.4000"),
        Decimal("25.5000"),
        25.5,
    )
    # B1 (1.039,20 + 25,50), B2 (79,90), B3 (25,50).
    assert month(aurora_marts, "sales_kpis", columns, "2026-03-01", sales_channel="loja_online") == (
        3,
        0,
        4,
        Decimal("1170.1000"),
        Decimal("1170.1000"),
        pytest.approx(1170.10 / 3),
    )
    # 2025: January 2, February 3, one order a month from March to December.
    assert aurora_marts.execute(
        "select orders from sales_kpis where period_grain = 'year' and period_start = '2025-01-01' "
        "and sales_channel = 'all'"
    ).fetchone() == (15,)


def test_customers_known_only_by_ids_are_new_then_returning(aurora_marts):
    columns = (
        "new_customers, returning_customers, previous_period_customers, retained_customers, retention_rate"
    )
    # U1 and U2 buy for the first time.
    assert month(aurora_marts, "sales_kpis", columns, "2025-01-01", sales_channel="all") == (2, 0, 0, 0, None)
    # U1 again (another order id, the same person through the customer table); U3's only order is
    # cancelled: not a buyer. Of January's U1 and U2, U1 came back.
    assert month(aurora_marts, "sales_kpis", columns, "2025-02-01", sales_channel="all") == (0, 1, 2, 1, 0.5)
    # U5 buys every month from March 2025; March 2026: U2 returns, U6 and U7 are new, U5 does not.
    assert month(aurora_marts, "sales_kpis", columns, "2025-04-01", sales_channel="all") == (0, 1, 1, 1, 1.0)
    assert month(aurora_marts, "sales_kpis", columns, "2026-03-01", sales_channel="all") == (2, 1, 1, 0, 0.0)


def test_deliveries_on_time_and_their_days(aurora_marts):
    columns = (
        "shipments, delivered_shipments, on_time_shipments, on_time_delivery_rate, "
        "delivery_days_mean, delivery_days_median"
    )
    expected = {  # (month, carrier): shipments, delivered, on time, rate, mean days, median days
        # Handed over in January: A1; delivered: A1 on the 9th, on time, 4 days after its order.
        ("2025-01-01", "correios"): (1, 1, 1, 1.0, 4.0, 4.0),
        # Handed over: A2 (1 February) and A3. Delivered: A2 on the 7th, promised the 5th, 7 days
        # after its order on 31 January; A3 on time, 4 days.
        ("2025-02-01", "correios"): (2, 2, 1, 0.5, 5.5, 5.5),
        # B1 and B2 handed over; B1 delivered on its promised day (on time), B2 on its way, B3
        # not shipped.
        ("2026-03-01", "all"): (2, 1, 1, 1.0, 4.0, 4.0),
    }
    for (start, carrier), figures in expected.items():
        row = month(aurora_marts, "delivery_kpis", columns, start, carrier=carrier, sales_channel="all")
        assert row == figures, start


def test_csat_and_the_linked_view(aurora_marts):
    columns = "survey_responses, csat_score_5pt, csat_satisfied_rate"
    assert month(aurora_marts, "feedback_kpis", columns, "2025-01-01", touchpoint_channel="all") == (
        1,
        5.0,
        1.0,
    )
    # R2 (2 stars) and R3 (4 stars); R3's repeated line is quarantined, not counted twice.
    assert month(aurora_marts, "feedback_kpis", columns, "2025-02-01", touchpoint_channel="all") == (
        2,
        3.0,
        0.5,
    )
    # On a 0-100 scale: R3 (on time) 75, R2 (late) 25.
    assert month(
        aurora_marts,
        "linked_cx_kpis",
        "csat_on_time_deliveries, csat_late_deliveries",
        "2025-02-01",
        sales_channel="all",
    ) == (75.0, 25.0)
    comments = [c for (c,) in aurora_marts.execute("select comment from feedback_verbatims").fetchall()]
    assert "Atrasou dois dias.\nMe liguem: [phone]" in comments


def test_money_is_in_the_market_currency(aurora_marts):
    assert set(
        aurora_marts.execute("select distinct currency from kpi_catalogue where unit = 'money'").fetchall()
    ) == {("BRL",)}
