"""Strict value parsing, as SQL: the grammars of numbers (thousands, decimal marks, negatives,
currency symbols), dates and timestamps (shapes of strptime formats, ISO 8601, time zones), and
the expression that parses each mapped column of `staged` to its type, or null."""

from __future__ import annotations

import re

from orchestration.lib.config import FORMAT_DIRECTIVES, NEGATIVE_FORMS, Column, Source
from orchestration.lib.ingest.sql import SQL_TYPES, literal, quote

# Decimals keep 6 places: every ISO 4217 minor unit (at most 4) and the micro-units in which ad
# platforms report money and fractional conversions. A value with more places is quarantined,
# never rounded; 12 digits before the mark (up to 999,999,999,999.999999) fit any amount of a row.
DECIMAL_PLACES = 6
REGEX_SPECIAL = set(r".^$*+?()[]{}|\-/")
SPACE = r"[\s\x{00A0}]*"  # between a number and its symbol: spaces, no-break spaces
# DuckDB's cast also reads 24:00 as the next midnight and offsets such as +24:00 or +14:61.
ISO_TIMESTAMP = (
    r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
)
ISO_OFFSET = r"(?:Z|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)"
GLOB_DIRECTIVES = {  # fixed-width directives, as DuckDB GLOB classes (a glob is cheaper than a regex)
    "%Y": "[1-9]" + "[0-9]" * 3,
    "%y": "[0-9]" * 2,
    "%m": "[0-9]" * 2,
    "%d": "[0-9]" * 2,
    "%H": "[0-9]" * 2,
    "%I": "[0-9]" * 2,
    "%M": "[0-9]" * 2,
    "%S": "[0-9]" * 2,
    "%b": "[A-Za-z]" * 3,
}


def _regex_escape(text: str) -> str:
    return "".join("\\" + char if char in REGEX_SPECIAL else char for char in text)


def _raw_value(source: Source, column: Column) -> str:
    """SQL expression of a column's raw text in the `staged` temp table."""
    if source.format == "ndjson":  # extracted once per line by _stage (__values)
        return f"__values[{source.columns.index(column) + 1}]"
    return quote(column.source)


def _number_grammar(column: Column) -> str:
    """The regular expression a number of this column must match whole (RE2, as DuckDB's)."""
    digits = "[0-9]+"
    if column.thousands:
        digits = f"(?:[0-9]{{1,3}}(?:{_regex_escape(column.thousands)}[0-9]{{3}})+|[0-9]+)"
    if column.type == "decimal":
        digits += f"(?:{_regex_escape(column.decimal_mark)}[0-9]{{1,{DECIMAL_PLACES}}})?"
    forms = [digits]
    if "minus" in column.negatives:
        forms.append(f"-{digits}")
    if "parentheses" in column.negatives:
        forms.append(f"\\({digits}\\)")
    number = "(?:" + "|".join(forms) + ")"
    if not column.symbols:
        return number
    symbol = _symbol_regex(column)
    return f"(?:{symbol}{SPACE}{number}|{number}{SPACE}{symbol}|{number})"


def _symbol_regex(column: Column) -> str:
    return "(?:" + "|".join(_regex_escape(s) for s in column.symbols) + ")"


def _number_expression(column: Column, text: str) -> str:
    """A number exactly as written, or null: digits only cast directly (most values); anything
    else must match the column's grammar whole, then loses its symbol, thousands separators and
    accounting parentheses and casts. try_cast alone would read '1.5' as the integer 2 and '0x10'
    as 16; the grammar leaves no such reading. Out of range (a bigint, 12 integer digits) is null."""
    sql_type = SQL_TYPES[column.type]
    number = text
    if column.symbols:
        symbol = _symbol_regex(column)
        number = f"regexp_replace({number}, {literal(f'^{symbol}{SPACE}|{SPACE}{symbol}$')}, '')"
    if "parentheses" in column.negatives:
        number = f"(case when starts_with({number}, '(') then '-' || {number}[2:-2] else {number} end)"
    if column.thousands:
        number = f"replace({number}, {literal(column.thousands)}, '')"
    if column.type == "decimal" and column.decimal_mark != ".":
        number = f"replace({number}, {literal(column.decimal_mark)}, '.')"
    return (
        f"case when not ({text} glob '*[!0-9]*') then try_cast({text} as {sql_type}) "
        f"when regexp_full_match({text}, {literal(_number_grammar(column))}) "
        f"then try_cast({number} as {sql_type}) end"
    )


def _format_shape(fmt: str, text: str) -> str:
    """Condition that `text` has exactly the shape of the strptime format: DuckDB's strptime alone
    reads '1/7/2025' and '2025-7-1', and '01/07/25' as the year 25. A GLOB where every directive
    has a fixed width, a regular expression otherwise."""
    parts = [part for part in re.split(r"(%-?[a-zA-Z%])", fmt) if part]
    literal_parts = [part for part in parts if part not in FORMAT_DIRECTIVES]
    if all(part in GLOB_DIRECTIVES for part in parts if part in FORMAT_DIRECTIVES) and not any(
        set(part) & set("*?[]") for part in literal_parts
    ):
        return f"{text} glob {literal(''.join(GLOB_DIRECTIVES.get(part, part) for part in parts))}"
    regex = "".join(FORMAT_DIRECTIVES.get(part) or _regex_escape(part) for part in parts)
    return f"regexp_full_match({text}, {literal(regex)})"


def _parse_expression(source: Source, column: Column, raw: str) -> str:
    text = f"nullif(trim({raw}), '')"
    if column.type == "text":
        # NFC: Windows-1258 and macOS exports write Vietnamese letters as base + combining mark.
        return f"nfc_normalize({text})"
    if column.type == "boolean":
        return f"case lower({text}) when 'true' then true when 'false' then false end"
    if column.type in ("integer", "decimal"):
        return _number_expression(column, text)
    if column.type == "date":
        fmt = column.format or "%Y-%m-%d"
        parsed = f"cast(try_strptime({text}, {literal(fmt)}) as date)"
        return f"case when {_format_shape(fmt, text)} then {parsed} end"
    # timestamp -> naive UTC
    zone = literal(source.timezone)
    if column.format in (None, "iso"):
        return (
            f"case when regexp_full_match({text}, {literal(ISO_TIMESTAMP + ISO_OFFSET)}) "
            f"then timezone('UTC', try_cast({text} as timestamptz)) "
            f"when regexp_full_match({text}, {literal(ISO_TIMESTAMP)}) "
            f"then timezone('UTC', timezone({zone}, try_cast({text} as timestamp))) end"
        )
    parsed = f"try_strptime({text}, {literal(column.format)})"
    if "%z" not in column.format:
        parsed = f"timezone({zone}, {parsed})"
    return f"case when {_format_shape(column.format, text)} then timezone('UTC', {parsed}) end"


def _expected(column: Column) -> str:
    """What a value of the column must look like, for the reason of an unparseable value."""
    if column.type == "boolean":
        return "true or false"
    if column.type in ("date", "timestamp"):
        if column.format in (None, "iso"):
            return "%Y-%m-%d" if column.type == "date" else "ISO 8601, e.g. 2025-07-01T09:30:00+07:00"
        return column.format
    parts = [f"thousands {column.thousands!r}"] if column.thousands else []
    if column.type == "decimal":
        parts.append(f"decimal mark {column.decimal_mark!r}, at most {DECIMAL_PLACES} decimal places")
    negatives = " or ".join(NEGATIVE_FORMS[form] for form in column.negatives)
    parts.append(f"negatives as {negatives}" if negatives else "no negatives")
    if column.symbols:
        parts.append(f"symbols {' '.join(column.symbols)}")
    return ", ".join(parts)


def _parsed(name: str) -> str:
    """Name of a parsed column inside the `parsed` temp table (never clashes with a header)."""
    return quote("__parsed_" + name)


def _parsed_columns(source: Source) -> str:
    """SELECT list of every mapped column parsed from the `staged` text to its type."""
    return ", ".join(
        f"{_parse_expression(source, c, _raw_value(source, c))} as {_parsed(c.name)}" for c in source.columns
    )
