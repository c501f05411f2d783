"""SQL text: quoted identifiers and string literals, and the DuckDB type of each configured type."""

from __future__ import annotations

SQL_TYPES = {
    "text": "varchar",
    "integer": "bigint",
    "decimal": "decimal(18, 6)",  # see parsing.DECIMAL_PLACES
    "date": "date",
    "timestamp": "timestamp",
    "boolean": "boolean",
}


def quote(identifier: str) -> str:
    """Quote an SQL identifier (any text, including Vietnamese headers)."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
