"""The KPI dashboard (dashboard/app.py): Streamlit's AppTest checks widgets and numbers against the
published marts of the sample baseline; a browser test opens the running app in headless Chromium.

The baseline is 2025-07-01..07 (a Tuesday to a Monday): week 2025-06-30 holds six days, week
2025-07-07 one day, and no week is complete, so the default range ends with the latest week.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from orchestration.lib.publish import publish_marts

from .browser import browser_page, free_port, require_chromium, serve

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
SCREENSHOT = ROOT / "docs" / "dashboard.png"
VIETNAMESE = re.compile(r"[ăâđêôơưàáạảãầấậẩẫằắặẳẵèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.I)

slow = pytest.mark.slow


@pytest.fixture
def marts(sample_baseline, monkeypatch) -> Path:
    """The baseline's published marts.duckdb, which the app reads (CX_PUBLISHED_DIR)."""
    monkeypatch.setenv("CX_PUBLISHED_DIR", str(sample_baseline / "published"))
    return sample_baseline / "published" / "marts.duckdb"


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def value(path: Path, mart: str, column: str, grain: str, start: date, **channels: str):
    """One number of a mart, read straight from the file, for the catalogue's channel column at 'all'
    unless `channels` says otherwise (e.g. sales_channel="shopee" in delivery_kpis, whose channel
    column is carrier)."""
    (channel_column,) = query(
        path, "select any_value(channel_column) from kpi_catalogue where mart = ?", [f"marts.{mart}"]
    )[0]
    filters = {channel_column: "all", **channels}
    where = "".join(f" and {name} = ?" for name in filters)
    sql = f"select {column} from {mart} where period_grain = ? and period_start = ?{where}"
    rows = query(path, sql, [grain, start, *filters.values()])
    assert len(rows) == 1, (mart, grain, start, filters, rows)
    return rows[0][0]


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, (label, [m.label for m in at.metric])
    return found[0]


def chart(at: AppTest, title: str) -> dict:
    """The data of the Vega-Lite chart with this title: {column: [values]} over all its datasets."""
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        titles = [spec.get("title"), *(layer.get("title") for layer in spec.get("layer", []))]
        if title in titles:
            data: dict[str, list] = {}
            for dataset in element.proto.datasets:
                table = pa.ipc.open_stream(dataset.data.data).read_all()
                for name in table.column_names:
                    data.setdefault(name, []).extend(table.column(name).to_pylist())
            return data
    raise AssertionError(f"no chart titled {title!r}")


def assert_same(shown: dict, expected: dict) -> None:
    """Same keys, and values equal up to float rounding (a null may be None or NaN)."""
    assert shown.keys() == expected.keys()
    for key, mart in expected.items():
        if mart is None or math.isnan(mart):
            assert shown[key] is None or math.isnan(shown[key]), key
        else:
            assert shown[key] == pytest.approx(mart), key
    assert any(v is not None for v in expected.values())


def pp(change: float) -> str:
    """A change of a ratio in percentage points, as the tiles show it."""
    shown = round(change * 100, 1)
    return f"{shown:+.1f} pp" if shown else "0.0 pp"


WEEK, PREVIOUS_WEEK = date(2025, 7, 7), date(2025, 6, 30)


@slow
def test_tiles_show_the_marts_numbers_with_change_target_and_definition(marts):
    at = run_app()
    assert at.sidebar.selectbox(key="grain").value == "week"
    assert at.sidebar.select_slider(key="period_week").value == (PREVIOUS_WEEK, WEEK)
    assert at.caption[0].value.startswith("Tiles: week 2025-W28 (07 Jul) compared with 2025-W27 (30 Jun)")
    assert "This week is partial: 1 of 7 days loaded." in at.caption[0].value

    orders = value(marts, "sales_kpis", "orders", "week", WEEK)
    orders_before = value(marts, "sales_kpis", "orders", "week", PREVIOUS_WEEK)
    assert orders > 0 and orders != orders_before
    assert metric(at, "Orders").value == f"{orders:,}"
    assert metric(at, "Orders").delta == f"{orders - orders_before:+,}"

    revenue = float(value(marts, "sales_kpis", "revenue_net", "week", WEEK))
    assert 1e6 <= revenue < 1e9  # shown in millions of VND
    assert metric(at, "Net revenue").value == f"{revenue / 1e6:,.2f}M ₫"

    level = value(marts, "customer_service_kpis", "service_level_rate", "week", WEEK)
    level_before = value(marts, "customer_service_kpis", "service_level_rate", "week", PREVIOUS_WEEK)
    tile = metric(at, "Service level")
    assert tile.value == f"{level * 100:.1f}%"
    assert tile.delta == pp(level - level_before)
    definition, target, note = query(
        marts, "select definition, target, target_note from kpi_catalogue where kpi = 'service_level_rate'"
    )[0]
    assert tile.help.startswith(definition)
    assert target == 0.8
    target_captions = [c.value for c in at.caption if c.value.startswith("Target ≥ 80.0%")]
    assert target_captions == [
        f"Target ≥ 80.0% ({note}): " + (":green[met]" if level >= 0.8 else ":red[missed]")
    ]

    # Every tile's help is its KPI's definition in the catalogue.
    definitions = [d for (d,) in query(marts, "select definition from kpi_catalogue")]
    assert len(at.metric) == 30
    for tile in at.metric:
        assert any(tile.help.startswith(d) for d in definitions), tile.label

    # The linked CX views.
    late = value(marts, "linked_cx_kpis", "csat_late_deliveries", "week", WEEK)
    on_time = value(marts, "linked_cx_kpis", "csat_on_time_deliveries", "week", WEEK)
    contacts = value(marts, "linked_cx_kpis", "contact_rate_per_100_orders", "week", WEEK)
    late_tile = metric(at, "CSAT, late deliveries")
    if late is None:  # no late delivery was rated that week: the tile says so, without a change
        assert (late_tile.value, late_tile.delta) == ("n/a", "")
    else:
        assert late_tile.value == f"{late:.1f} / 100"
    assert metric(at, "CSAT, on-time deliveries").value == f"{on_time:.1f} / 100"
    assert metric(at, "Contacts per 100 orders").value == f"{contacts:.2f}"
    nps = value(marts, "feedback_kpis", "nps", "week", WEEK)
    assert metric(at, "NPS").value == f"{nps:.1f}"


@slow
def test_charts_plot_the_range_and_the_channel_comparison(marts):
    at = run_app()
    trend = chart(at, "Orders: trend")
    expected = query(
        marts,
        "select period_start, orders from sales_kpis where period_grain = 'week' and sales_channel = 'all' "
        "order by period_start",
    )
    assert [(d.date(), v) for d, v in zip(trend["period_start"], trend["value"], strict=True)] == expected

    by_channel = chart(at, "Orders by sales channel, 2025-W28 (07 Jul)")
    expected = query(
        marts,
        "select sales_channel, orders from sales_kpis where period_grain = 'week' and period_start = ? "
        "and sales_channel <> 'all'",
        [WEEK],
    )
    assert sorted(zip(by_channel["sales_channel"], by_channel["value"], strict=True)) == sorted(expected)

    nps = chart(at, "NPS by acquisition channel, 2025-W28 (07 Jul)")
    expected = query(
        marts,
        "select acquisition_channel, nps_by_acquisition_channel from nps_by_acquisition_channel "
        "where period_grain = 'week' and period_start = ? and acquisition_channel <> 'all'",
        [WEEK],
    )
    assert_same(dict(zip(nps["acquisition_channel"], nps["value"], strict=True)), dict(expected))

    csat = chart(at, "CSAT: on-time versus late deliveries")
    expected = query(
        marts,
        "select period_start, csat_on_time_deliveries, csat_late_deliveries from linked_cx_kpis "
        "where period_grain = 'week' and sales_channel = 'all'",
    )
    shown = zip(csat["delivery"], csat["period_start"], csat["csat"], strict=True)
    assert_same(
        {(kind, start.date()): v for kind, start, v in shown},
        {
            **{("on time", start): v for start, v, _ in expected},
            **{("late", start): v for start, _, v in expected},
        },
    )

    # Picking another KPI redraws the charts with it; the service level chart draws its 80% target.
    at.button_group(key="chart_sales_kpis").set_value("revenue_net").run()
    revenue = chart(at, "Net revenue: trend")
    assert revenue["value"][-1] == value(marts, "sales_kpis", "revenue_net", "week", WEEK)
    service = chart(at, "Service level: trend")
    assert service["target"] == [80.0]


@slow
def test_grain_period_and_channel_pickers_change_the_numbers(marts):
    at = run_app()
    week_orders = metric(at, "Orders").value

    at.sidebar.selectbox(key="grain").set_value("day").run()
    assert at.sidebar.select_slider(key="period_day").value == (date(2025, 7, 1), date(2025, 7, 7))
    at.sidebar.select_slider(key="period_day").set_range(date(2025, 7, 2), date(2025, 7, 4)).run()
    assert not at.exception
    assert at.caption[0].value.startswith("Tiles: day 2025-07-04 compared with 2025-07-03")
    day, before = (value(marts, "sales_kpis", "orders", "day", date(2025, 7, d)) for d in (4, 3))
    assert metric(at, "Orders").value == f"{day:,}"
    assert metric(at, "Orders").delta == (f"{day - before:+,}" if day != before else "0")
    assert len(chart(at, "Orders: trend")["value"]) == 3

    july = date(2025, 7, 1)
    at.sidebar.selectbox(key="grain").set_value("month").run()
    month = value(marts, "sales_kpis", "orders", "month", july)
    assert metric(at, "Orders").value == f"{month:,}" != week_orders
    assert metric(at, "Orders").delta == ""  # no month before July in the data
    assert "Period: Jul 2025 (the only one loaded)" in [c.value for c in at.sidebar.caption]

    at.sidebar.selectbox(key="sales_channel").set_value("shopee").run()
    shopee = value(marts, "sales_kpis", "orders", "month", july, sales_channel="shopee")
    assert 0 < shopee < month
    assert metric(at, "Orders").value == f"{shopee:,}"
    assert [s.value for s in at.subheader][0] == "Sales · shopee"
    on_time = value(marts, "delivery_kpis", "on_time_delivery_rate", "month", july, sales_channel="shopee")
    assert metric(at, "On-time delivery").value == f"{on_time * 100:.1f}%"
    contacts = value(
        marts, "linked_cx_kpis", "contact_rate_per_100_orders", "month", july, sales_channel="shopee"
    )
    assert metric(at, "Contacts per 100 orders").value == f"{contacts:.2f}"

    at.sidebar.selectbox(key="contact_channel").set_value("phone").run()
    level = value(
        marts, "customer_service_kpis", "service_level_rate", "month", july, contact_channel="phone"
    )
    assert metric(at, "Service level").value == f"{level * 100:.1f}%"
    assert metric(at, "Orders").value == f"{shopee:,}"  # the other pickers keep their choice


@slow
def test_detractors_verbatims_are_shown_in_vietnamese(marts):
    at = run_app()
    expected = [
        [day.isoformat(), touchpoint, survey.upper(), f"{score} / {scale}", comment]
        for day, touchpoint, survey, score, scale, comment in query(
            marts,
            "select responded_date, touchpoint_channel, survey_type, score, scale_max, comment "
            "from feedback_verbatims where sentiment in ('detractor', 'dissatisfied') "
            "and responded_date >= ? and responded_date < ? order by responded_date desc, response_id desc",
            [PREVIOUS_WEEK, date(2025, 7, 14)],
        )
    ]
    assert len(expected) >= 3, "the baseline has detractors' comments"
    table = at.table[0].value
    assert list(table.columns) == ["Date", "Touchpoint", "Survey", "Score", "Comment"]
    assert table.values.tolist() == expected[:20]
    assert all(VIETNAMESE.search(comment) for comment in table["Comment"])
    assert any(
        c.value.startswith("Comments of NPS detractors") and f": {len(expected)} comments" in c.value
        for c in at.caption
    )

    # The touchpoint picker filters them.
    channel = expected[0][1]
    at.sidebar.selectbox(key="touchpoint_channel").set_value(channel).run()
    assert at.table[0].value.values.tolist() == [row for row in expected if row[1] == channel][:20]
    touchpoints = {t for (t,) in query(marts, "select distinct touchpoint_channel from feedback_kpis")}
    silent = sorted(touchpoints - {"all"} - {row[1] for row in expected})
    assert silent, "some touchpoint has no detractor comment in the baseline"
    at.sidebar.selectbox(key="touchpoint_channel").set_value(silent[0]).run()
    assert not at.table
    assert [i.value for i in at.info] == ["No detractor comments in this range."]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_files() -> set[str]:
    return {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}


@slow
def test_a_new_publish_shows_up_on_the_next_rerun_and_the_app_never_writes(
    sample_baseline, tmp_path, monkeypatch
):
    # A warehouse whose `main` schema holds the baseline's marts, published with the real publish step.
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    shutil.copyfile(sample_baseline / "published" / "marts.duckdb", warehouse)
    publish_marts(warehouse, published, schema="main")
    monkeypatch.setenv("CX_PUBLISHED_DIR", str(published))
    marts = published / "marts.duckdb"
    orders = value(marts, "sales_kpis", "orders", "week", WEEK)

    before = sha256(marts), sorted(p.name for p in published.iterdir())
    at = run_app()
    assert metric(at, "Orders").value == f"{orders:,}"
    assert (sha256(marts), sorted(p.name for p in published.iterdir())) == before
    assert str(marts) not in open_files()  # the connection was closed right after loading

    con = duckdb.connect(str(warehouse))
    con.execute("update main.sales_kpis set orders = orders + 1000")
    con.close()
    publish_marts(warehouse, published, schema="main")  # os.replace() of marts.duckdb under the app
    at.run()
    assert not at.exception
    assert metric(at, "Orders").value == f"{orders + 1000:,}"
    assert str(marts) not in open_files()


def test_without_published_marts_it_says_to_run_make_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_PUBLISHED_DIR", str(tmp_path / "nothing-yet"))
    at = run_app()
    assert len(at.warning) == 1
    assert "Run `make run`" in at.warning[0].value
    assert not at.metric
    assert not (tmp_path / "nothing-yet").exists()


@slow
def test_browser_shows_tiles_charts_and_vietnamese_verbatims(marts):
    require_chromium()
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "streamlit"),
        "run",
        str(APP),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {"CX_PUBLISHED_DIR": str(marts.parent)}
    day = value(marts, "sales_kpis", "orders", "day", date(2025, 7, 7))
    (comment,) = query(
        marts,
        "select comment from feedback_verbatims where sentiment in ('detractor', 'dissatisfied') "
        "order by responded_date desc, response_id desc limit 1",
    )[0]
    with (
        serve(command, f"http://127.0.0.1:{port}/_stcore/health", env=env),
        browser_page(width=1440, height=1000) as page,
    ):
        page.goto(f"http://127.0.0.1:{port}/")
        page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
        # Pick the day grain the way a person does: open the select box, click the option.
        page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="day", exact=True).click()
        page.get_by_text("Tiles: day 2025-07-07 compared with 2025-07-06").wait_for(timeout=60_000)
        # Every chart drawn: 15 Vega-Lite charts, each with its marks.
        page.wait_for_function(
            """() => {
                const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
                return charts.length === 15
                    && [...charts].every(c => c.querySelector('svg .role-mark, canvas'));
            }""",
            timeout=60_000,
        )
        body = page.inner_text("body")
        height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": 1440, "height": height})
        page.wait_for_timeout(2000)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
    assert f"{day:,}" in body
    assert comment in body and VIETNAMESE.search(comment)
    assert "Service level" in body and "Target ≥ 80.0%" in body
    assert SCREENSHOT.stat().st_size > 50_000
