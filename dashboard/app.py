"""KPI dashboard for store managers: Streamlit over the published, read-only marts.

Run it with `make dashboard` (http://127.0.0.1:8501). It reads `<CX_PUBLISHED_DIR>/marts.duckdb`,
the copy that publishing replaces atomically (orchestration/lib/publish.py), never the warehouse:

- every load opens a fresh read-only DuckDB connection and closes it right away, so nothing holds
  an old version of the file and the dashboard never writes;
- loaded frames are cached on the file's (path, mtime_ns, size): a new publish shows up on the
  next rerun (any click, or reloading the page).

Each KPI tile shows the last period of the chosen range, its change against the period before,
the target where the KPI catalogue has one, and the catalogue's definition on hover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st
from babel.numbers import get_currency_precision, get_currency_symbol

from orchestration.lib.env import published_dir, reporting_currency

GRAINS = ("day", "week", "month", "quarter", "year")
TIME_FORMATS = {"day": "%d %b", "week": "%d %b", "month": "%b %Y", "quarter": "%b %Y", "year": "%Y"}
DEFAULT_GRAIN = "week"
DEFAULT_PERIODS = 13  # the default range: the last 13 periods (a quarter of weeks)
LATEST_VERBATIMS = 20
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

# How each catalogue unit is shown: (factor, decimals, value suffix, delta suffix); money in the
# reporting currency (kpi_catalogue.currency), with its symbol and minor units.
CURRENCY_SYMBOL = get_currency_symbol(reporting_currency(), locale="vi_VN")
UNIT_FORMATS = {
    "ratio": (100, 1, "%", " pp"),
    "money": (1, get_currency_precision(reporting_currency()), f" {CURRENCY_SYMBOL}", f" {CURRENCY_SYMBOL}"),
    "seconds": (1 / 60, 1, " min", " min"),
    "hours": (1, 1, " h", " h"),
    "days": (1, 2, " days", " days"),
    "count": (1, 0, "", ""),
    "per_day": (1, 1, " /day", " /day"),
    "per_100_orders": (1, 2, "", ""),
    "score_1_5": (1, 2, " / 5", ""),
    "score_1_7": (1, 2, " / 7", ""),
    "score_0_100": (1, 1, " / 100", ""),
    "nps_points": (1, 1, "", " pts"),
}
LABELS = {
    "revenue_net": "Net revenue",
    "average_order_value": "Average order value",
    "new_customers": "New customers",
    "service_level_rate": "Service level",
    "first_response_median_seconds": "First response (median)",
    "fcr_rate": "First contact resolution",
    "backlog_open_tickets": "Open tickets (backlog)",
    "on_time_delivery_rate": "On-time delivery",
    "delivery_days_mean": "Delivery time (mean)",
    "failed_delivery_rate": "Failed deliveries",
    "shipping_cost_per_order": "Shipping cost per order",
    "csat_score": "CSAT (1-5)",
    "csat_satisfied_rate": "Satisfied (CSAT top 2)",
    "nps": "NPS",
    "ces_score": "CES (1-7)",
    "contact_rate_per_100_orders": "Contacts per 100 orders",
    "csat_on_time_deliveries": "CSAT, on-time deliveries",
    "csat_late_deliveries": "CSAT, late deliveries",
    "delivery_delay_days_mean": "Delivery delay (mean)",
    "nps_by_acquisition_channel": "NPS by acquisition channel",
    "ad_spend": "Ad spend",
    "roas": "ROAS",
    "ctr": "Click-through rate",
    "cost_per_acquisition": "Cost per acquisition",
    "session_conversion_rate": "Session conversion",
}


@dataclass(frozen=True)
class Section:
    """One block of the page: KPI tiles of one mart, a trend chart and a channel comparison."""

    title: str
    mart: str
    kpis: tuple[str, ...]
    channel_column: str  # filtered by the sidebar's channel picker (or held at 'all')
    channel_key: str | None  # the sidebar widget that picks the channel; None: always 'all'
    compare_column: str  # the dimension the comparison chart puts side by side
    fixed: dict[str, str] = field(default_factory=dict)  # other dimensions, held at these values


SALES = Section(
    "Sales",
    "sales_kpis",
    ("orders", "revenue_net", "average_order_value", "return_rate", "new_customers"),
    "sales_channel",
    "sales_channel",
    "sales_channel",
)
SERVICE = Section(
    "Customer service",
    "customer_service_kpis",
    (
        "service_level_rate",
        "first_response_median_seconds",
        "fcr_rate",
        "backlog_open_tickets",
        "tickets_created",
    ),
    "contact_channel",
    "contact_channel",
    "contact_channel",
)
DELIVERY = Section(
    "Delivery",
    "delivery_kpis",
    (
        "on_time_delivery_rate",
        "delivery_days_mean",
        "failed_delivery_rate",
        "shipping_cost_per_order",
        "shipments",
    ),
    "sales_channel",
    "sales_channel",
    "carrier",
)
FEEDBACK = Section(
    "Customer feedback",
    "feedback_kpis",
    ("csat_score", "csat_satisfied_rate", "nps", "ces_score", "survey_responses"),
    "touchpoint_channel",
    "touchpoint_channel",
    "touchpoint_channel",
)
MARKETING = Section(
    "Marketing",
    "marketing_kpis",
    ("ad_spend", "roas", "ctr", "cost_per_acquisition"),
    "ad_platform",
    None,
    "ad_platform",
    {"campaign_id": "all"},
)
WEB = Section(
    "Website",
    "web_session_kpis",
    ("sessions", "session_conversion_rate"),
    "channel_group",
    None,
    "channel_group",
)
LINKED = Section(
    "Linked CX",
    "linked_cx_kpis",
    (
        "contact_rate_per_100_orders",
        "csat_on_time_deliveries",
        "csat_late_deliveries",
        "delivery_delay_days_mean",
    ),
    "sales_channel",
    "sales_channel",
    "sales_channel",
)
CHANNEL_PICKERS = {  # sidebar widget key -> (label, mart, column, what it filters)
    "sales_channel": ("Sales channel", "sales_kpis", "sales_channel", "Sales, Delivery, Linked CX"),
    "contact_channel": ("Contact channel", "customer_service_kpis", "contact_channel", "Customer service"),
    "touchpoint_channel": ("Survey touchpoint", "feedback_kpis", "touchpoint_channel", "Feedback, verbatims"),
}


@dataclass(frozen=True)
class Selection:
    grain: str
    first: date  # first period start of the range
    last: date  # last period start of the range: the period the tiles show
    channels: dict[str, str]


# ---------------------------------------------------------------- loading


def marts_path() -> Path:
    return published_dir() / "marts.duckdb"


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


def published_version(path: Path) -> tuple[str, int, int] | None:
    """The cache key of the published file, or None when nothing was published yet."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


# ---------------------------------------------------------------- formatting


def kpi_label(kpi: str) -> str:
    return LABELS.get(kpi, kpi.replace("_", " ").capitalize())


def channel_label(value: str) -> str:
    return "All channels" if value == "all" else value


def period_label(grain: str, start: date) -> str:
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d} ({start:%d %b})"
    if grain == "month":
        return f"{start:%b %Y}"
    if grain == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if grain == "year":
        return str(start.year)
    return start.isoformat()


def period_end(grain: str, start: date) -> date:
    """The first day after the period."""
    offset = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
        "quarter": pd.DateOffset(months=3),
        "year": pd.DateOffset(years=1),
    }[grain]
    return (pd.Timestamp(start) + offset).date()


def unit_format(unit: str) -> tuple[float, int, str, str]:
    return UNIT_FORMATS.get(unit, (1, 2, "", ""))


def format_number(number: float, unit: str, signed: bool = False) -> str:
    """A value (or, signed, a change) in the unit's display form; money from a million on in M or B."""
    factor, decimals, suffix, delta_suffix = unit_format(unit)
    number, suffix = number * factor, (delta_suffix if signed else suffix)
    if unit == "money" and abs(number) >= 1e6:
        scale, letter = (1e9, "B") if abs(number) >= 1e9 else (1e6, "M")
        number, decimals, suffix = number / scale, 2, letter + suffix
    elif unit == "count" and not float(number).is_integer():
        decimals = 2
    if not signed:
        return f"{number:,.{decimals}f}{suffix}"
    shown = round(number, decimals)  # a change that rounds to zero is shown unsigned: "0.0 pp"
    return f"{shown:+,.{decimals}f}{suffix}" if shown else f"{0:.{decimals}f}{suffix}"


def format_value(value, unit: str) -> str:
    return "n/a" if is_missing(value) else format_number(value, unit)


def format_delta(change: float, unit: str) -> str:
    return format_number(change, unit, signed=True)


def is_missing(value) -> bool:
    return value is None or pd.isna(value)


# ---------------------------------------------------------------- selecting rows


def section_rows(frames: dict, section: Section, channel: str, compare: bool = False) -> pd.DataFrame:
    """The mart's rows for one channel (all periods and grains); with compare=True, the rows of every
    value of the comparison column instead (the channel picker still applies when it is another column)."""
    frame = frames[section.mart]
    mask = pd.Series(True, index=frame.index)
    for column, value in section.fixed.items():
        mask &= frame[column] == value
    if compare:
        mask &= frame[section.compare_column] != "all"
        if section.channel_column != section.compare_column:
            mask &= frame[section.channel_column] == channel
    else:
        mask &= frame[section.channel_column] == channel
        if section.compare_column != section.channel_column:
            mask &= frame[section.compare_column] == "all"
    return frame[mask]


def current_and_previous(rows: pd.DataFrame, selection: Selection) -> tuple[pd.Series | None, ...]:
    """The row of the range's last period and the row of the period just before it (same grain)."""
    rows = rows[rows["period_grain"] == selection.grain].sort_values("period_start")
    current = rows[rows["period_start"] == selection.last]
    before = rows[rows["period_start"] < selection.last]
    return (
        current.iloc[0] if len(current) else None,
        before.iloc[-1] if len(before) else None,
    )


def at_last_period(rows: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    return rows[(rows["period_grain"] == selection.grain) & (rows["period_start"] == selection.last)]


def in_range(rows: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    return rows[
        (rows["period_grain"] == selection.grain)
        & (rows["period_start"] >= selection.first)
        & (rows["period_start"] <= selection.last)
    ]


# ---------------------------------------------------------------- widgets


def days_covered(frames: dict, grain: str, start: date) -> int | None:
    """Days of the period with loaded data (customer_service_kpis.days_covered of the total row)."""
    service = frames["customer_service_kpis"]
    row = service[
        (service["period_grain"] == grain)
        & (service["period_start"] == start)
        & (service["contact_channel"] == "all")
    ]
    return int(row["days_covered"].iloc[0]) if len(row) else None


def last_complete_period(frames: dict, grain: str, periods: list[date]) -> date:
    """The latest period whose every day is loaded (the current week is partial until Sunday's run),
    or the latest period when none is complete."""
    for start in reversed(periods):
        if days_covered(frames, grain, start) == (period_end(grain, start) - start).days:
            return start
    return periods[-1]


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


# ---------------------------------------------------------------- views


def catalogue_entry(frames: dict, kpi: str) -> pd.Series:
    catalogue = frames["kpi_catalogue"]
    return catalogue[catalogue["kpi"] == kpi].iloc[0]


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


def section_header(title: str, channel: str | None) -> None:
    st.subheader(title if channel is None else f"{title} · {channel_label(channel)}", divider="gray")


def kpi_section(frames: dict, section: Section, selection: Selection) -> None:
    channel = selection.channels.get(section.channel_key, "all")
    section_header(section.title, channel if section.channel_key else None)
    rows = section_rows(frames, section, channel)
    if rows.empty:
        st.info(f"No {section.title.lower()} figures for {channel_label(channel)}.")
        return
    current, previous = current_and_previous(rows, selection)
    kpi_tiles(frames, section.kpis, current, previous)
    kpi = st.segmented_control(
        "Chart",
        section.kpis,
        default=section.kpis[0],
        required=True,
        format_func=kpi_label,
        key=f"chart_{section.mart}",
    )
    entry = catalogue_entry(frames, kpi)
    left, right = st.columns(2)
    left.altair_chart(trend_chart(in_range(rows, selection), entry, kpi, selection.grain), width="stretch")
    compared = at_last_period(section_rows(frames, section, channel, compare=True), selection)
    title = comparison_title(kpi, section.compare_column, selection)
    right.altair_chart(comparison_chart(compared, entry, kpi, section.compare_column, title), width="stretch")


def linked_cx_section(frames: dict, selection: Selection) -> None:
    """Where sales, delivery, service and feedback meet: CSAT of late versus on-time deliveries,
    contacts per 100 orders, NPS by the channel that first brought the customer."""
    channel = selection.channels["sales_channel"]
    section_header("Linked CX", channel)
    rows = section_rows(frames, LINKED, channel)
    current, previous = current_and_previous(rows, selection)
    kpi_tiles(frames, LINKED.kpis, current, previous)

    left, middle, right = st.columns(3)
    on_time, late = (catalogue_entry(frames, k) for k in ("csat_on_time_deliveries", "csat_late_deliveries"))
    trend = in_range(rows, selection)
    periods = pd.to_datetime(trend["period_start"])
    csat = pd.concat(
        pd.DataFrame({"period_start": periods, "delivery": name, "csat": trend[entry["column_name"]]})
        for name, entry in (("on time", on_time), ("late", late))
    )
    left.altair_chart(
        alt.Chart(csat)
        .mark_line(point=True)
        .encode(
            x=time_axis(selection.grain),
            y=alt.Y("csat:Q", title="CSAT (0-100)"),
            color=alt.Color(
                "delivery:N",
                title="Delivery",
                scale=alt.Scale(domain=["on time", "late"], range=["#2e7d32", "#c62828"]),
            ),
            tooltip=["period_start:T", "delivery:N", alt.Tooltip("csat:Q", format=".1f")],
        )
        .properties(height=240, title="CSAT: on-time versus late deliveries"),
        width="stretch",
    )
    contact = catalogue_entry(frames, "contact_rate_per_100_orders")
    by_channel = at_last_period(section_rows(frames, LINKED, channel, compare=True), selection)
    title = f"Contacts per 100 orders, {period_label(selection.grain, selection.last)}"
    middle.altair_chart(
        comparison_chart(by_channel, contact, "contact_rate_per_100_orders", "sales_channel", title),
        width="stretch",
    )
    nps_entry = catalogue_entry(frames, "nps_by_acquisition_channel")
    nps = at_last_period(frames["nps_by_acquisition_channel"], selection)
    nps = nps[nps["acquisition_channel"] != "all"]
    title = f"NPS by acquisition channel, {period_label(selection.grain, selection.last)}"
    right.altair_chart(
        comparison_chart(nps, nps_entry, "nps_by_acquisition_channel", "acquisition_channel", title),
        width="stretch",
    )
    right.caption(nps_entry["definition"])


def verbatims_section(frames: dict, selection: Selection) -> None:
    channel = selection.channels["touchpoint_channel"]
    section_header("Detractors' verbatims", channel)
    rows = frames["detractor_verbatims"]
    end = period_end(selection.grain, selection.last)
    rows = rows[(rows["responded_date"] >= selection.first) & (rows["responded_date"] < end)]
    if channel != "all":
        rows = rows[rows["touchpoint_channel"] == channel]
    st.caption(
        f"Comments of NPS detractors (score 0-6) and dissatisfied CSAT and CES answers, "
        f"{selection.first:%d %b %Y} to "
        f"{end - pd.Timedelta(days=1):%d %b %Y}, {channel_label(channel)}: {len(rows)} comments, "
        f"the {min(len(rows), LATEST_VERBATIMS)} latest shown. "
        "Phone numbers and e-mails are masked as [phone] and [email]."
    )
    if rows.empty:
        st.info("No detractor comments in this range.")
        return
    latest = rows.head(LATEST_VERBATIMS)
    st.table(
        pd.DataFrame(
            {
                "Date": [d.isoformat() for d in latest["responded_date"]],
                "Touchpoint": latest["touchpoint_channel"].to_list(),
                "Survey": latest["survey_type"].str.upper().to_list(),
                "Score": [f"{s} / {m}" for s, m in zip(latest["score"], latest["scale_max"], strict=True)],
                "Comment": latest["comment"].to_list(),
            }
        ),
        hide_index=True,
    )


def coverage_note(frames: dict, selection: Selection) -> str:
    covered = days_covered(frames, selection.grain, selection.last)
    length = (period_end(selection.grain, selection.last) - selection.last).days
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


main()
