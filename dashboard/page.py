"""The page: its set-up, the sidebar's filters, the header, and the order of the sections.

Each KPI tile shows the last period of the chosen range, its change against the period before,
the target where the KPI catalogue has one, and the catalogue's definition on hover.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import streamlit as st

from dashboard.formatting import channel_label, period_label
from dashboard.marts import days_covered, load_marts, marts_path, published_version
from dashboard.periods import (
    DEFAULT_GRAIN,
    DEFAULT_PERIODS,
    GRAINS,
    Selection,
    last_complete_period,
    period_days,
)
from dashboard.sections import (
    DELIVERY,
    FEEDBACK,
    MARKETING,
    SALES,
    SERVICE,
    WEB,
    kpi_section,
    linked_cx_section,
    verbatims_section,
)

CHANNEL_PICKERS = {  # sidebar widget key -> (label, mart, column, what it filters)
    "sales_channel": ("Sales channel", "sales_kpis", "sales_channel", "Sales, Delivery, Linked CX"),
    "contact_channel": ("Contact channel", "customer_service_kpis", "contact_channel", "Customer service"),
    "touchpoint_channel": ("Survey touchpoint", "feedback_kpis", "touchpoint_channel", "Feedback, verbatims"),
}


def sidebar(frames: dict) -> Selection:
    st.sidebar.header("Filters")
    grain = st.sidebar.selectbox("Grain", GRAINS, index=GRAINS.index(DEFAULT_GRAIN), key="grain")
    periods = sorted(frames["sales_kpis"].query("period_grain == @grain")["period_start"].unique())
    if not periods:
        st.warning("The published marts hold no data yet: run `make run` (or a backfill) first.")
        st.stop()
    if len(periods) > 1:
        end = periods.index(last_complete_period(frames, grain, periods))
        first, last = st.sidebar.select_slider(
            "Period range",
            options=periods,
            value=(periods[max(0, end + 1 - DEFAULT_PERIODS)], periods[end]),
            format_func=lambda start: period_label(grain, start),
            key=f"period_{grain}",
            help="The trend charts show the range; the tiles show its last period. "
            "By default the range ends with the last complete period.",
        )
    else:
        first = last = periods[0]
        st.sidebar.caption(f"Period: {period_label(grain, first)} (the only one loaded)")
    st.sidebar.header("Channels")
    channels = {}
    for key, (label, mart, column, scope) in CHANNEL_PICKERS.items():
        values = sorted(frames[mart][column].unique(), key=lambda v: (v != "all", v))
        channels[key] = st.sidebar.selectbox(
            label, values, format_func=channel_label, key=key, help=f"Filters: {scope}."
        )
    return Selection(grain, first, last, channels)


def coverage_note(frames: dict, selection: Selection) -> str:
    covered = days_covered(frames, selection.grain, selection.last)
    length = period_days(selection.grain, selection.last)
    if covered is not None and covered < length:
        return f" This {selection.grain} is partial: {covered} of {length} days loaded."
    return ""


def header(frames: dict, path: Path, mtime_ns: int, selection: Selection) -> None:
    st.title("CX KPI dashboard")
    published = datetime.fromtimestamp(mtime_ns / 1e9).strftime("%Y-%m-%d %H:%M")
    rows = frames["sales_kpis"].query("period_grain == @selection.grain")
    before = sorted(p for p in rows["period_start"].unique() if p < selection.last)
    compared = f"compared with {period_label(selection.grain, before[-1])}" if before else "(none before)"
    st.caption(
        f"Tiles: {selection.grain} {period_label(selection.grain, selection.last)} {compared}; "
        f"trends: {period_label(selection.grain, selection.first)} to "
        f"{period_label(selection.grain, selection.last)}.{coverage_note(frames, selection)} "
        f"Published marts of {published} (`{path}`, read-only). Hover a tile's ? for its definition."
    )


def main() -> None:
    st.set_page_config(page_title="CX KPI dashboard", page_icon="📊", layout="wide")
    path = marts_path()
    version = published_version(path)
    if version is None:
        st.title("CX KPI dashboard")
        st.warning(
            f"No published marts yet: `{path}` does not exist. Run `make run` to build and publish "
            "them, then reload this page."
        )
        return
    frames = load_marts(*version)
    selection = sidebar(frames)
    header(frames, path, version[1], selection)
    for section in (SALES, SERVICE, DELIVERY, FEEDBACK):
        kpi_section(frames, section, selection)
    linked_cx_section(frames, selection)
    verbatims_section(frames, selection)
    for section in (MARKETING, WEB):
        kpi_section(frames, section, selection)
