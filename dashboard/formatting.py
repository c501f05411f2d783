"""How the dashboard writes KPIs, values, changes and periods: labels, units, money (Babel)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from babel.numbers import get_currency_precision, get_currency_symbol

from orchestration.lib.settings import settings

# How each catalogue unit is shown: (factor, decimals, value suffix, delta suffix); money in the
# reporting currency (kpi_catalogue.currency), with its symbol and minor units.
CURRENCY = settings().reporting_currency
CURRENCY_SYMBOL = get_currency_symbol(CURRENCY, locale="vi_VN")
UNIT_FORMATS = {
    "ratio": (100, 1, "%", " pp"),
    "money": (1, get_currency_precision(CURRENCY), f" {CURRENCY_SYMBOL}", f" {CURRENCY_SYMBOL}"),
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
