"""Reading the published marts: `<CX_PUBLISHED_DIR>/marts.duckdb`, the copy that publishing replaces
atomically (orchestration/lib/publish.py), never the warehouse.

- every load opens a fresh read-only DuckDB connection and closes it right away, so nothing holds
  an old version of the file and the dashboard never writes;
- loaded frames are cached on the file's (path, mtime_ns, size): a new publish shows up on the
  next rerun (any click, or reloading the page).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from orchestration.lib.settings import settings

KPI_MARTS = (
    "sales_kpis",
    "customer_service_kpis",
    "delivery_kpis",
    "feedback_kpis",
    "linked_cx_kpis",
    "nps_by_acquisition_channel",
    "marketing_kpis",
    "web_session_kpis",
)


def marts_path() -> Path:
    return settings().published_dir / "marts.duckdb"


def published_version(path: Path) -> tuple[str, int, int] | None:
    """The cache key of the published file, or None when nothing was published yet."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


@st.cache_data(max_entries=4, show_spinner="Reading the published marts…")
def load_marts(path: str, mtime_ns: int, size: int) -> dict[str, pd.DataFrame]:
    """Every table the page needs, read in one short-lived read-only connection.

    mtime_ns and size are only the cache key: a publish replaces the file, so they change.
    Rows are sorted (by period, then channel): a table's stored order is whatever order the
    parallel build wrote, and charts and tables must not depend on it."""
    con = duckdb.connect(path, read_only=True)
    try:
        frames = {mart: con.execute(f"select * from {mart} order by all").df() for mart in KPI_MARTS}
        frames["kpi_catalogue"] = con.execute("select * from kpi_catalogue").df()
        frames["detractor_verbatims"] = con.execute(
            "select responded_date, touchpoint_channel, survey_type, score, scale_max, comment "
            "from feedback_verbatims where sentiment in ('detractor', 'dissatisfied') "
            "order by responded_date desc, response_id desc"
        ).df()
    finally:
        con.close()
    for frame in frames.values():
        for column in ("period_start", "responded_date"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column]).dt.date
    return frames


def catalogue_entry(frames: dict, kpi: str) -> pd.Series:
    """The KPI's row of kpi_catalogue: its mart column, unit, definition, target."""
    catalogue = frames["kpi_catalogue"]
    return catalogue[catalogue["kpi"] == kpi].iloc[0]


def days_covered(frames: dict, grain: str, start: date) -> int | None:
    """Days of the period with loaded data (customer_service_kpis.days_covered of the total row)."""
    service = frames["customer_service_kpis"]
    row = service[
        (service["period_grain"] == grain)
        & (service["period_start"] == start)
        & (service["contact_channel"] == "all")
    ]
    return int(row["days_covered"].iloc[0]) if len(row) else None
