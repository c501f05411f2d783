"""Strict value parsing (orchestration/lib/ingest/parsing.py `_parse_expression`), property-based: values
in each configured format parse exactly to what they say, and values around the format (a char
inserted, removed or changed) either still say one exact thing, which an independent reference
parser here agrees with, or are null, which quarantines their row as unparseable.

The reference parsers are written from the documented rules (sources.yml header, DECISIONLOG
"Strict parsing"), not from the SQL: numbers by hand, dates as "what strftime writes back"."""

from __future__ import annotations

import string
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.lib.config import Column, Source
from orchestration.lib.ingest.parsing import _parse_expression
from orchestration.lib.ingest.readers import _cell_text

settings.register_profile(
    "parsing", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("parsing")

ZONE = "Asia/Ho_Chi_Minh"
SOURCE = Source(
    name="s",
    domain="sales",
    files="s/s_{date}.csv",
    format="csv",
    encoding="utf-8",
    delimiter=",",
    date_format="%Y-%m-%d",
    timezone=ZONE,
    primary_key=("x",),
    row_date="x",
    columns=(),
)
BIGINT = 2**63
SPACES = " \t\n\f\r\u00a0"  # between a symbol and its number (RE2's \s and the no-break space)
# Values are trimmed of the Unicode space separators around them (DuckDB's trim), not of tabs.
TRIMMED = "".join(chr(c) for c in range(0x3001) if unicodedata.category(chr(c)) == "Zs")


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def parse(con, column: Column, values: list[str]) -> list:
    """Each value through the column's parse expression, in order."""
    con.register("vals", pa.table({"n": list(range(len(values))), "v": values}))
    try:
        rows = con.execute(f"select {_parse_expression(SOURCE, column, 'v')} from vals order by n").fetchall()
    finally:
        con.unregister("vals")
    return [row[0] for row in rows]


def number_column(kind: str, thousands=None, mark=".", negatives=("minus",), symbols=()) -> Column:
    return Column(
        name="x",
        source="x",
        type=kind,
        thousands=thousands,
        decimal_mark=mark,
        negatives=negatives,
        symbols=symbols,
    )


# Column notations: (thousands, decimal mark), negative forms, symbols.
notations = st.sampled_from([(None, "."), (",", "."), (".", ","), (" ", ","), (None, ",")])
negative_forms = st.sampled_from([(), ("minus",), ("parentheses",), ("minus", "parentheses")])
symbol_sets = st.sampled_from([(), ("₫",), ("₫", "VND"), ("$",)])


def reference_number(text: str, column: Column) -> Decimal | None:
    """The documented number rules, by hand: [symbol] sign-form(digits[mark fraction]) [symbol]."""
    s = text.strip(TRIMMED)
    for symbol in column.symbols:
        if s.startswith(symbol):
            s = s[len(symbol) :].lstrip(SPACES)
            break
        if s.endswith(symbol):
            s = s[: -len(symbol)].rstrip(SPACES)
            break
    negative = False
    if s.startswith("-") and "minus" in column.negatives:
        negative, s = True, s[1:]
    elif s.startswith("(") and s.endswith(")") and "parentheses" in column.negatives:
        negative, s = True, s[1:-1]
    whole, fraction = s, ""
    if column.type == "decimal" and column.decimal_mark in s:
        whole, fraction = s.split(column.decimal_mark, 1)
        if not (1 <= len(fraction) <= 6 and all(c in string.digits for c in fraction)):
            return None
    if column.thousands and column.thousands in whole:
        first, *groups = whole.split(column.thousands)
        if not (1 <= len(first) <= 3 and all(len(g) == 3 for g in groups)):
            return None
        whole = first + "".join(groups)
    if not whole or not all(c in string.digits for c in whole):
        return None
    value = Decimal(whole + ("." + fraction if fraction else ""))
    value = -value if negative else value
    if column.type == "integer":
        return value if -BIGINT <= value < BIGINT else None
    return value if abs(value) < 10**12 else None


def written(value: Decimal, column: Column, grouped: bool, form: str, symbol: str, before: bool, gap: str):
    """A number as an export in this notation writes it."""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    if grouped and column.thousands:
        whole = f"{int(whole):,}".replace(",", column.thousands)
    text = whole + (column.decimal_mark + fraction if fraction else "")
    if value < 0:
        text = f"({text})" if form == "parentheses" else f"-{text}"
    if symbol:
        text = symbol + gap + text if before else text + gap + symbol
    return text


@st.composite
def numbers_in_format(draw, kind: str):
    """(column, text, value): a value of the column's type written in its notation."""
    thousands, mark = draw(notations)
    negatives, symbols = draw(negative_forms), draw(symbol_sets)
    column = number_column(kind, thousands, mark, negatives, symbols)
    if kind == "integer":
        value = Decimal(draw(st.integers(min_value=-BIGINT if negatives else 0, max_value=BIGINT - 1)))
    else:
        places = draw(st.integers(min_value=0, max_value=6))
        limit = 10**12 - 1
        value = Decimal(draw(st.integers(min_value=-limit if negatives else 0, max_value=limit))).scaleb(
            -places
        )
    text = written(
        value,
        column,
        grouped=draw(st.booleans()),
        form=draw(st.sampled_from(negatives or ("minus",))),
        symbol=draw(st.sampled_from(("",) + symbols)),
        before=draw(st.booleans()),
        gap=draw(st.sampled_from(["", " ", "\u00a0"])),
    )
    return column, text, value


NEAR_NUMBER = "0123456789.,-()+ ₫$exX_\u00a0"


@st.composite
def around(draw, text: str, alphabet: str):
    """The text with one change: a character inserted, removed or replaced."""
    position = draw(st.integers(min_value=0, max_value=len(text)))
    change = draw(st.sampled_from(["insert", "remove", "replace"]))
    char = draw(st.sampled_from(alphabet))
    if change == "insert" or position == len(text):
        return text[:position] + char + text[position:]
    return text[:position] + ("" if change == "remove" else char) + text[position + 1 :]


@given(case=numbers_in_format("integer"))
def test_integers_in_their_notation_parse_exactly(con, case):
    column, text, value = case
    assert parse(con, column, [text]) == [int(value)]


@given(case=numbers_in_format("decimal"))
def test_decimals_in_their_notation_parse_exactly_with_every_digit(con, case):
    column, text, value = case
    assert parse(con, column, [text]) == [value]


@given(data=st.data(), kind=st.sampled_from(["integer", "decimal"]))
def test_numbers_around_the_format_are_exact_or_unparseable(con, data, kind):
    column, text, _ = data.draw(numbers_in_format(kind))
    damaged = data.draw(around(text, NEAR_NUMBER))
    expected = reference_number(damaged, column)
    (got,) = parse(con, column, [damaged])
    assert got == (None if expected is None else int(expected) if kind == "integer" else expected), damaged


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("integer", "1.5"),  # a fraction in an integer column (was loaded as 2)
        ("integer", "2.0"),
        ("integer", "0x10"),  # hexadecimal (DuckDB's cast reads 16)
        ("integer", "0b11"),
        ("integer", "1e3"),
        ("integer", "+5"),
        ("integer", "1_000"),
        ("integer", "9223372036854775808"),  # above bigint
        ("decimal", "0x10"),  # was loaded as 10.00
        ("decimal", "(129000)"),  # an accounting negative where the column allows only -x
        ("decimal", "1.0000001"),  # a seventh decimal place would be rounded
        ("decimal", "1000000000000"),  # 13 digits before the mark
        ("decimal", ".5"),
        ("decimal", "5."),
        ("decimal", "1e-3"),
        ("decimal", "NaN"),
        ("decimal", "Infinity"),
        ("decimal", "12 ₫"),  # no symbol configured
    ],
)
def test_surprising_numbers_are_unparseable(con, kind, text):
    assert parse(con, number_column(kind), [text]) == [None]


def test_accounting_negatives_and_symbols_only_where_configured(con):
    sheet = number_column("decimal", ".", ",", ("minus", "parentheses"), ("₫",))
    assert parse(con, sheet, ["(129.000)", "-129.000 ₫", "₫ 1.250.000,5", "1.25", "(1.250 ₫)"]) == [
        Decimal("-129000"),
        Decimal("-129000"),
        Decimal("1250000.5"),
        None,  # "1.25": not a thousands group
        None,  # the symbol belongs outside the parentheses
    ]
    unsigned = number_column("integer", ",", negatives=())
    assert parse(con, unsigned, ["1,250", "-1,250", "(1,250)"]) == [1250, None, None]


@given(text=st.text(alphabet="truefalsTRUEFALS01yn ", max_size=7))
def test_booleans_are_true_or_false_in_any_case_and_nothing_else(con, text):
    (got,) = parse(con, Column(name="x", source="x", type="boolean"), [text])
    word = text.strip(TRIMMED).lower()
    assert got == {"true": True, "false": False}.get(word), text


# Every date and timestamp format of orchestration/sources.yml, and a few more.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d %b %Y", "%-d/%-m/%Y"]
TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d %b %Y %H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%m/%d/%Y %I:%M %p",
]
NEAR_DATE = "0123456789/-: .TZ+JulAPM"


def canonical(moment: datetime, fmt: str) -> str:
    """What strftime writes (%-d and %-m: without zero padding)."""
    fmt = fmt.replace("%-d", str(moment.day)).replace("%-m", str(moment.month))
    return moment.strftime(fmt)


def reference_moment(text: str, fmt: str) -> datetime | None:
    """A value is accepted iff it is the canonical writing of a valid moment in the format (month
    names in any case): strptime alone would also read '1/7/2025' for %d/%m/%Y."""
    try:
        moment = datetime.strptime(text.strip(TRIMMED), fmt.replace("%-", "%"))
    except ValueError:
        return None
    written_back = canonical(moment, fmt)
    if "%f" in fmt:  # %f reads 1 to 6 digits; strftime writes 6
        head, _, digits = text.strip(TRIMMED).rpartition(".")
        written_back = written_back.rpartition(".")[0] + "." + digits if head else written_back
    return moment if written_back.lower() == text.strip(TRIMMED).lower() else None


moments = st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2099, 12, 31))


@given(moment=moments, fmt=st.sampled_from(DATE_FORMATS))
def test_dates_in_their_format_parse_exactly(con, moment, fmt):
    column = Column(name="x", source="x", type="date", format=fmt)
    assert parse(con, column, [canonical(moment, fmt)]) == [moment.date()]


@given(data=st.data(), moment=moments, fmt=st.sampled_from(DATE_FORMATS))
def test_dates_around_the_format_are_exact_or_unparseable(con, data, moment, fmt):
    damaged = data.draw(around(canonical(moment, fmt), NEAR_DATE))
    expected = reference_moment(damaged, fmt)
    column = Column(name="x", source="x", type="date", format=fmt)
    assert parse(con, column, [damaged]) == [expected.date() if expected else None], damaged


def local_to_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=ZoneInfo(ZONE)).astimezone(UTC).replace(tzinfo=None)


@given(moment=moments, fmt=st.sampled_from(TIMESTAMP_FORMATS))
def test_local_timestamps_in_their_format_parse_to_utc(con, moment, fmt):
    column = Column(name="x", source="x", type="timestamp", format=fmt)
    text = canonical(moment, fmt)
    assert parse(con, column, [text]) == [local_to_utc(reference_moment(text, fmt))]


@given(data=st.data(), moment=moments, fmt=st.sampled_from(TIMESTAMP_FORMATS))
def test_timestamps_around_the_format_are_exact_or_unparseable(con, data, moment, fmt):
    damaged = data.draw(around(canonical(moment, fmt), NEAR_DATE))
    expected = reference_moment(damaged, fmt)
    column = Column(name="x", source="x", type="timestamp", format=fmt)
    assert parse(con, column, [damaged]) == [local_to_utc(expected) if expected else None], damaged


@given(
    moment=moments,
    offset_minutes=st.integers(min_value=-12 * 60, max_value=14 * 60),
    colon=st.booleans(),
)
def test_timestamps_with_an_offset_are_converted_to_utc(con, moment, offset_minutes, colon):
    moment, offset = moment.replace(microsecond=0), timedelta(minutes=offset_minutes)
    sign, hours, minutes = "+" if offset_minutes >= 0 else "-", *divmod(abs(offset_minutes), 60)
    text = moment.strftime("%Y-%m-%d %H:%M:%S ") + f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"
    column = Column(name="x", source="x", type="timestamp", format="%Y-%m-%d %H:%M:%S %z")
    expected = moment.replace(tzinfo=timezone(offset)).astimezone(UTC).replace(tzinfo=None)
    assert parse(con, column, [text]) == [expected]


@given(
    moment=moments,
    seconds=st.sampled_from(["", ":SS", ":SS.f"]),
    separator=st.sampled_from(["T", " "]),
    zone=st.sampled_from(["", "Z", "+07:00", "-0330", "+05"]),
)
def test_iso_timestamps_keep_their_offset_or_are_local(con, moment, seconds, separator, zone):
    text = moment.strftime(f"%Y-%m-%d{separator}%H:%M")
    if not seconds:
        moment = moment.replace(second=0, microsecond=0)
    elif seconds == ":SS":
        text += moment.strftime(":%S")
        moment = moment.replace(microsecond=0)
    else:
        text += moment.strftime(":%S.%f").rstrip("0").rstrip(".")
    if zone:
        hours, minutes = (0, 0) if zone == "Z" else (int(zone[1:3]), int(zone[-2:]) if len(zone) > 3 else 0)
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if zone.startswith("-") else 1)
        expected = moment.replace(tzinfo=timezone(offset)).astimezone(UTC).replace(tzinfo=None)
    else:
        expected = local_to_utc(moment)
    column = Column(name="x", source="x", type="timestamp", format="iso")
    assert parse(con, column, [text + zone]) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "infinity",  # DuckDB's cast reads 9999-12-31 23:59:59.999999
        "-infinity",
        "epoch",  # 1970-01-01
        "2025-07-01",  # a date where a time is due
        "2025-7-1 1:2:3",
        "2025-07-01 10:00:00.1234567",  # a seventh fractional digit would be dropped
        "20250-07-01 10:00",
        "2025-07-01 10:00:00 +07:00",  # a space before the offset is not ISO 8601
        "2025-07-31T24:00:00",
        "2025-02-29T10:00:00Z",
        "2025-07-01T10:00:00+24:00",
        "0000-01-01T00:00:00",  # DuckDB reads the year 0 as 1 BC
        "2025-07-01T10:00:00+07:61",
    ],
)
def test_surprising_iso_timestamps_are_unparseable(con, text):
    assert parse(con, Column(name="x", source="x", type="timestamp", format="iso"), [text]) == [None]


def test_two_digit_years_and_missing_zero_padding_are_unparseable(con):
    column = Column(name="x", source="x", type="date", format="%d/%m/%Y")
    assert parse(con, column, ["01/07/25", "1/7/2025", "01/07/2025", "31/02/2025"]) == [
        None,
        None,
        date(2025, 7, 1),
        None,
    ]
    unpadded = Column(name="x", source="x", type="date", format="%-d/%-m/%Y")
    assert parse(con, unpadded, ["1/7/2025", "01/7/2025", "31/12/2025"]) == [
        date(2025, 7, 1),
        None,
        date(2025, 12, 31),
    ]


@given(value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), mark=st.sampled_from([".", ","]))
def test_xlsx_numeric_cells_are_written_in_the_columns_notation_and_parse_to_their_value(con, value, mark):
    """A numeric cell is a number (Excel keeps 15 significant digits), not text to re-read with
    the sheet's thousands rule: 650000.5 in a column with '.' thousands stays 650000.5."""
    column = number_column("decimal", "," if mark == "." else ".", mark, ("minus", "parentheses"))
    expected = Decimal(f"{value:.15g}")
    (got,) = parse(con, column, [_cell_text(value, column)])
    if expected == expected.quantize(Decimal("0.000001")) and abs(expected) < 10**12:
        assert got == expected
    else:  # more than six decimal places: quarantined, not rounded
        assert got is None


@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    thousands=st.sampled_from([None, ".", ","]),
)
def test_xlsx_numeric_cells_with_a_fraction_never_pass_as_integers(con, value, thousands):
    """An integer cell is whole at Excel's 15 significant digits (100000.99999999988 is 100001),
    else quarantined, whatever the thousands mark."""
    column = number_column("integer", thousands, ".", ("minus",))
    (got,) = parse(con, column, [_cell_text(value, column)])
    shown = float(f"{value:.15g}")  # the cell as Excel keeps it: 15 significant digits
    assert got == (int(shown) if shown.is_integer() else None)


def test_xlsx_cells_other_than_numbers(con):
    timestamp = Column(name="x", source="x", type="timestamp", format="%d/%m/%Y %H:%M")
    assert _cell_text(datetime(2025, 7, 1, 20, 15), timestamp) == "01/07/2025 20:15"
    assert _cell_text(date(2025, 7, 1), Column(name="x", source="x", type="date")) == "2025-07-01"
    assert _cell_text(True, Column(name="x", source="x", type="boolean")) == "true"
    assert _cell_text(912345678.0, Column(name="x", source="x", type="text")) == "912345678"
    assert _cell_text(1.234, number_column("integer", ".")) == "1,234"  # not 1234 through the thousands rule
