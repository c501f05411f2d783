"""The blocks of the page, one function each: a mart's KPI section (tiles, trend, comparison), the
linked CX views and the detractors' verbatims; and the sections' definitions."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboard.charts import comparison_chart, comparison_title, delivery_csat_chart, trend_chart
from dashboard.formatting import channel_label, kpi_label, period_label
from dashboard.marts import catalogue_entry
from dashboard.periods import Selection, at_last_period, current_and_previous, in_range, period_end
from dashboard.tiles import kpi_tiles

LATEST_VERBATIMS = 20


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
    left.altair_chart(
        delivery_csat_chart(in_range(rows, selection), on_time, late, selection.grain), width="stretch"
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
