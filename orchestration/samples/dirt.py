"""The known faults injected on fixed days, and their record in the manifest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

DIRT_KINDS = (
    "malformed_lines",
    "unparseable_values",
    "out_of_range",
    "unknown_values",
    "missing_required",
    "duplicate_rows",
)

# Known dirt: (source, day offset, kind, column to damage, damaged value). Each faulty row is an
# extra copy of the day's first data row with exactly one fault, placed right after it.
DIRT = [
    ("web_orders", 2, "duplicate_rows", None, None),
    ("web_orders", 2, "duplicate_rows", None, None),
    ("pos_sales", 4, "duplicate_rows", None, None),
    ("call_records", 2, "malformed_lines", None, None),
    ("helpdesk_ticket_events", 3, "malformed_lines", None, None),
    ("ghtk_waybills", 2, "unparseable_values", "deliver_date", "31/02/2025"),
    ("manual_orders", 3, "unparseable_values", "Đơn giá", "N/A"),
    ("tiktok_orders", 4, "unknown_values", "Order Status", "Pending Review"),
    ("survey_responses", 4, "out_of_range", None, None),
    ("survey_responses", 5, "out_of_range", None, None),
    ("lazada_orders", 5, "missing_required", "sellerSku", ""),
]


def inject_dirt(name: str, offset: timedelta, rows: list, spec: dict, entry: dict, relative: Path) -> list:
    """Return the file's lines (header first) with this day's dirt added; record it in the manifest."""
    todo = [d for d in DIRT if d[0] == name and d[1] == offset.days]
    if not todo or len(rows) < 2:
        return rows
    lines = list(rows)
    first = lines[1]
    columns = list(spec["columns"])
    title_lines = 2 if spec.get("title") else 0
    for position, (_, _, kind, column, value) in enumerate(todo, start=2):
        if kind == "duplicate_rows":
            extra = list(first)
        elif kind == "malformed_lines":
            extra = (
                '{"id": "EV-broken", "ticket_id": 4'
                if spec.get("format") == "ndjson"
                else ",".join(str(v) for v in first[:3])
            )
        elif kind == "out_of_range":
            extra = list(first)
            extra[columns.index("Response ID")] = f"{first[columns.index('Response ID')]}-X{offset.days}"
            extra[columns.index("Question type")] = "CSAT"
            low, high = (1, 10) if offset.days == 4 else (1, 5)
            extra[columns.index("Scale min")], extra[columns.index("Scale max")] = low, high
            extra[columns.index("Score")] = high + 1
            extra[columns.index("Responded at")] = extra[columns.index("Updated at")]
        else:
            extra = list(first)
            extra[columns.index(column)] = value
        lines.insert(position, extra)
        entry["dirt"][kind] += 1
        entry["dirt_lines"].append(
            {"file": relative.as_posix(), "line": title_lines + 1 + position, "kind": kind, "column": column}
        )
    return lines
