"""The KPI tiles: the value of the range's last period, its change against the period before, the
catalogue's target (met or missed) and, on hover, its definition."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import format_delta, format_value, is_missing, kpi_label
from dashboard.marts import catalogue_entry


def kpi_help(entry: pd.Series) -> str:
    text = f"{entry['definition']}\n\nColumn `{entry['mart']}.{entry['column_name']}`."
    if isinstance(entry["better"], str):
        text += f" {entry['better'].capitalize()} is better."
    return text


def target_caption(entry: pd.Series, value) -> str | None:
    if is_missing(entry["target"]):
        return None
    target, unit = float(entry["target"]), entry["unit"]
    sign = "≤" if entry["better"] == "lower" else "≥"
    caption = f"Target {sign} {format_value(target, unit)}"
    if isinstance(entry["target_note"], str):
        caption += f" ({entry['target_note']})"
    if not is_missing(value):
        met = value <= target if entry["better"] == "lower" else value >= target
        caption += ": :green[met]" if met else ": :red[missed]"
    return caption


def kpi_tile(frames: dict, kpi: str, current: pd.Series | None, previous: pd.Series | None) -> None:
    entry = catalogue_entry(frames, kpi)
    column, unit = entry["column_name"], entry["unit"]
    value = None if current is None else current[column]
    before = None if previous is None else previous[column]
    delta = None
    if not is_missing(value) and not is_missing(before):
        delta = format_delta(value - before, unit)
    color = {"higher": "normal", "lower": "inverse"}.get(entry["better"], "off")
    unchanged = delta is not None and not delta.startswith(("+", "-"))
    st.metric(
        kpi_label(kpi),
        format_value(value, unit),
        delta,
        delta_color="off" if unchanged else color,
        delta_arrow="off" if unchanged else "auto",
        help=kpi_help(entry),
    )
    caption = target_caption(entry, value)
    if caption:
        st.caption(caption)


def kpi_tiles(frames: dict, kpis: tuple[str, ...], current, previous) -> None:
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        with column:
            kpi_tile(frames, kpi, current, previous)
