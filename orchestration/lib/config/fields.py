"""What sources.yml and entities.yml may say: their files, fields, types and formats."""

from __future__ import annotations

import re
from pathlib import Path

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[2] / "sources.yml"
ENTITIES_PATH = Path(__file__).resolve().parents[2] / "entities.yml"

DOMAINS = ("marketing", "sales", "delivery", "customer_service")
FORMATS = ("csv", "ndjson", "xlsx")
TYPES = ("text", "integer", "decimal", "date", "timestamp", "boolean")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

SOURCE_FIELDS = {
    "name",
    "entity",
    "domain",
    "customer_namespace",
    "description",
    "files",
    "date_format",
    "format",
    "encoding",
    "delimiter",
    "skip_rows",
    "max_record_lines",
    "sheet",
    "timezone",
    "primary_key",
    "version_column",
    "row_date",
    "constants",
    "columns",
    "days_after_export",
    "versioned_by_row_order",
}
# Expected deliveries (_parse_expected).
SOURCE_FIELDS |= {"expected", "expected_from", "known_missing"}
COLUMN_FIELDS = {
    "source",
    "type",
    "format",
    "thousands",
    "decimal_mark",
    "required",
    "accepted_values",
    "min",
    "max",
    "values",
    "negatives",
    "symbols",
    "event",
}
NEGATIVE_FORMS = {"minus": "-1250", "parentheses": "(1250)"}
# strptime directives a date or timestamp `format` may use, each with the exact text it reads: a
# value must match the whole format (zero-padded fields stay padded; %-d has no leading zero).
FORMAT_DIRECTIVES = {
    "%Y": "[1-9][0-9]{3}",  # 1000 to 9999: DuckDB reads the year 0000 as 1 BC
    "%y": "[0-9]{2}",
    "%m": "[0-9]{2}",
    "%d": "[0-9]{2}",
    "%H": "[0-9]{2}",
    "%I": "[0-9]{2}",
    "%M": "[0-9]{2}",
    "%S": "[0-9]{2}",
    "%-m": "(?:0|[1-9][0-9]?)",
    "%-d": "(?:0|[1-9][0-9]?)",
    "%-H": "(?:0|[1-9][0-9]?)",
    "%-I": "(?:0|[1-9][0-9]?)",
    "%-M": "(?:0|[1-9][0-9]?)",
    "%-S": "(?:0|[1-9][0-9]?)",
    "%f": "[0-9]{1,6}",
    "%b": "[A-Za-z]{3}",
    "%p": "(?:AM|PM|am|pm)",
    "%z": "[+-](?:0[0-9]|1[0-4]):?[0-5][0-9]",
    "%%": "%",
}
FORMAT_DIRECTIVE = re.compile(r"%-?[a-zA-Z%]")

# How exports are read (orchestration/lib/ingest/): a CSV record whose quoted fields span more
# lines than this is taken for a quote that never closes (the reader goes on at the next line).
DEFAULT_MAX_RECORD_LINES = 5


class ConfigError(ValueError):
    """A source configuration entry is invalid."""
