"""The Altair charts: a KPI's trend over the range, a comparison across a dimension, CSAT of
on-time versus late deliveries. Values are in the unit's display scale (a ratio in %)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.formatting import is_missing, kpi_label, period_label, unit_format
from dashboard.periods import Selection

TIME_FORMATS = {"day": "%d %b", "week": "%d %b", "month": "%b %Y", "quarter": "%b %Y", "year": "%Y"}


def chart_values(rows: pd.DataFrame, column: str, unit: str) -> pd.Series:
    factor, *_ = unit_format(unit)
    return rows[column].astype("float64") * factor


def axis_title(kpi: str, unit: str) -> str:
    suffix = unit_format(unit)[2].strip()
    return f"{kpi_label(kpi)} ({suffix})" if suffix and not suffix.startswith("/ ") else kpi_label(kpi)


def time_axis(grain: str) -> alt.X:
    return alt.X("period_start:T", title=None, axis=alt.Axis(format=TIME_FORMATS[grain], labelAngle=0))


def trend_chart(rows: pd.DataFrame, entry: pd.Series, kpi: str, grain: str) -> alt.Chart:
    data = pd.DataFrame(
        {
            "period_start": pd.to_datetime(rows["period_start"]),
            "value": chart_values(rows, entry["column_name"], entry["unit"]),
        }
    )
    title = axis_title(kpi, entry["unit"])
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=time_axis(grain),
            y=alt.Y("value:Q", title=title),
            tooltip=[alt.Tooltip("period_start:T", title="Period"), alt.Tooltip("value:Q", title=title)],
        )
    )
    if not is_missing(entry["target"]):
        target = float(entry["target"]) * unit_format(entry["unit"])[0]
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[6, 4], color="gray")
        chart = chart + rule.encode(y="target:Q")
    return chart.properties(height=240, title=f"{kpi_label(kpi)}: trend")


def comparison_chart(rows: pd.DataFrame, entry: pd.Series, kpi: str, column: str, title: str) -> alt.Chart:
    values = chart_values(rows, entry["column_name"], entry["unit"])
    data = pd.DataFrame({column: rows[column], "value": values})
    axis = axis_title(kpi, entry["unit"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(f"{column}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("value:Q", title=axis),
            tooltip=[alt.Tooltip(f"{column}:N"), alt.Tooltip("value:Q", title=axis)],
        )
        .properties(height=240, title=title)
    )


def comparison_title(kpi: str, column: str, selection: Selection) -> str:
    dimension = column.replace("_", " ")
    return f"{kpi_label(kpi)} by {dimension}, {period_label(selection.grain, selection.last)}"


def delivery_csat_chart(rows: pd.DataFrame, on_time: pd.Series, late: pd.Series, grain: str) -> alt.Chart:
    """Two lines over the range's rows of linked_cx_kpis: the CSAT of on-time and of late deliveries
    (on_time and late: their catalogue entries)."""
    periods = pd.to_datetime(rows["period_start"])
    csat = pd.concat(
        pd.DataFrame({"period_start": periods, "delivery": name, "csat": rows[entry["column_name"]]})
        for name, entry in (("on time", on_time), ("late", late))
    )
    return (
        alt.Chart(csat)
        .mark_line(point=True)
        .encode(
            x=time_axis(grain),
            y=alt.Y("csat:Q", title="CSAT (0-100)"),
            color=alt.Color(
                "delivery:N",
                title="Delivery",
                scale=alt.Scale(domain=["on time", "late"], range=["#2e7d32", "#c62828"]),
            ),
            tooltip=["period_start:T", "delivery:N", alt.Tooltip("csat:Q", format=".1f")],
        )
        .properties(height=240, title="CSAT: on-time versus late deliveries")
    )
