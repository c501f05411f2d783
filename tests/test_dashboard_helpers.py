"""The dashboard's helpers, imported without starting the app: formatting, period arithmetic and
reading the published marts (tests/test_dashboard.py drives the whole page)."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import pandas as pd

from dashboard.charts import axis_title
from dashboard.formatting import format_delta, format_number, format_value, kpi_label, period_label
from dashboard.marts import KPI_MARTS, load_marts, published_version
from dashboard.periods import Selection, current_and_previous, in_range, last_complete_period, period_days
from dashboard.tiles import target_caption


def test_money_in_dong_without_minor_units_and_in_millions_and_billions():
    assert format_number(840_865.4, "money") == "840,865 ₫"
    assert format_number(74_840_000, "money") == "74.84M ₫"
    assert format_number(1_500_000_000, "money") == "1.50B ₫"
    assert format_delta(-7_370_000, "money") == "-7.37M ₫"
    assert format_delta(144_230, "money") == "+144,230 ₫"


def test_values_and_changes_in_their_units():
    assert format_value(0.8, "ratio") == "80.0%"
    assert format_delta(0.012, "ratio") == "+1.2 pp"
    assert format_delta(0.0004, "ratio") == "0.0 pp"  # rounds to zero: no sign
    assert format_value(90, "seconds") == "1.5 min"
    assert format_value(1234, "count") == "1,234"
    assert format_value(2.5, "count") == "2.50"
    assert format_delta(-30, "count") == "-30"
    assert format_value(4.25, "score_1_5") == "4.25 / 5"
    assert format_delta(0.25, "score_1_5") == "+0.25"
    assert format_delta(3.5, "nps_points") == "+3.5 pts"
    assert format_value(None, "ratio") == format_value(float("nan"), "money") == "n/a"
    assert format_value(1.234, "unknown_unit") == "1.23"


def test_labels():
    assert kpi_label("service_level_rate") == "Service level"
    assert kpi_label("tickets_created") == "Tickets created"  # not in LABELS: from the name
    assert axis_title("first_response_median_seconds", "seconds") == "First response (median) (min)"
    assert axis_title("csat_score", "score_1_5") == "CSAT (1-5)"


def test_period_labels():
    assert period_label("day", date(2025, 7, 4)) == "2025-07-04"
    assert period_label("week", date(2025, 7, 7)) == "2025-W28 (07 Jul)"
    assert period_label("week", date(2024, 12, 30)) == "2025-W01 (30 Dec)"  # ISO year of the week
    assert period_label("month", date(2025, 7, 1)) == "Jul 2025"
    assert period_label("quarter", date(2025, 10, 1)) == "2025 Q4"
    assert period_label("year", date(2025, 1, 1)) == "2025"


def test_period_lengths():
    assert period_days("day", date(2025, 7, 4)) == 1
    assert period_days("week", date(2025, 6, 30)) == 7
    assert period_days("month", date(2024, 2, 1)) == 29
    assert period_days("quarter", date(2025, 10, 1)) == 92
    assert period_days("year", date(2024, 1, 1)) == 366


def service_days(rows: list[tuple[str, date, int]]) -> dict:
    frame = pd.DataFrame(rows, columns=["period_grain", "period_start", "days_covered"])
    return {"customer_service_kpis": frame.assign(contact_channel="all")}


def test_the_default_range_ends_with_the_last_complete_period():
    weeks = [date(2025, 6, 23), date(2025, 6, 30), date(2025, 7, 7)]
    frames = service_days([("week", weeks[0], 7), ("week", weeks[1], 7), ("week", weeks[2], 1)])
    assert last_complete_period(frames, "week", weeks) == date(2025, 6, 30)
    partial = service_days([("week", weeks[1], 6), ("week", weeks[2], 1)])
    assert last_complete_period(partial, "week", weeks[1:]) == date(2025, 7, 7)  # none complete


def test_tiles_compare_the_last_period_with_the_one_before():
    rows = pd.DataFrame(
        {
            "period_grain": ["day", "day", "day", "week"],
            "period_start": [date(2025, 7, 4), date(2025, 7, 2), date(2025, 7, 5), date(2025, 6, 30)],
            "orders": [40, 20, 50, 110],
        }
    )
    selection = Selection("day", date(2025, 7, 2), date(2025, 7, 4), {})
    current, previous = current_and_previous(rows, selection)
    assert (current["orders"], previous["orders"]) == (40, 20)
    assert sorted(in_range(rows, selection)["orders"]) == [20, 40]
    first = Selection("day", date(2025, 7, 2), date(2025, 7, 2), {})
    assert current_and_previous(rows, first)[1] is None


def test_target_caption():
    entry = pd.Series({"target": 0.8, "unit": "ratio", "better": "higher", "target_note": "80/20"})
    assert target_caption(entry, 0.75) == "Target ≥ 80.0% (80/20): :red[missed]"
    assert target_caption(entry, None) == "Target ≥ 80.0% (80/20)"
    backlog = pd.Series({"target": 0, "unit": "count", "better": "lower", "target_note": None})
    assert target_caption(backlog, 0) == "Target ≤ 0: :green[met]"
    assert target_caption(pd.Series({"target": None}), 3) is None


def test_published_version_is_none_before_the_first_publish(tmp_path):
    assert published_version(tmp_path / "marts.duckdb") is None
    path = tmp_path / "marts.duckdb"
    path.write_bytes(b"12345")
    assert published_version(path) == (str(path), path.stat().st_mtime_ns, 5)


def test_load_marts_reads_sorted_frames_with_dates_and_closes_the_file(tmp_path):
    path = tmp_path / "marts.duckdb"
    con = duckdb.connect(str(path))
    for mart in KPI_MARTS:
        con.execute(
            f"create table {mart} as select * from (values "
            "('day', date '2025-07-02', 'b'), ('day', date '2025-07-01', 'b'), "
            "('day', date '2025-07-01', 'a')"
            ") as t(period_grain, period_start, channel)"
        )
    con.execute("create table kpi_catalogue as select 'orders' as kpi")
    con.execute(
        "create table feedback_verbatims as select * from (values "
        "(1, date '2025-07-01', 'shop', 'nps', 3, 10, 'Giao hàng chậm', 'detractor'), "
        "(2, date '2025-07-02', 'web', 'csat', 5, 5, 'Tốt', 'satisfied'), "
        "(3, date '2025-07-02', 'web', 'ces', 2, 7, 'Khó', 'dissatisfied')"
        ") as t(response_id, responded_date, touchpoint_channel, survey_type, score, scale_max, comment, "
        "sentiment)"
    )
    con.close()

    frames = load_marts(*published_version(path))
    assert set(frames) == {*KPI_MARTS, "kpi_catalogue", "detractor_verbatims"}
    sales = frames["sales_kpis"]
    assert sales.values.tolist() == [
        ["day", date(2025, 7, 1), "a"],
        ["day", date(2025, 7, 1), "b"],
        ["day", date(2025, 7, 2), "b"],
    ]
    verbatims = frames["detractor_verbatims"]
    assert verbatims["comment"].to_list() == ["Khó", "Giao hàng chậm"]  # latest first, no satisfied
    assert verbatims["responded_date"].to_list() == [date(2025, 7, 2), date(2025, 7, 1)]
    open_files = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
    assert str(path) not in open_files
