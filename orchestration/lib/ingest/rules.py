"""Row-level rules: the checks of each column (required, parseable, accepted values, events not
after the export, bounds), and the pass over `staged` that finds each row's first broken rule,
repeated rows and conflicting records (temp tables `parsed` and `bad`)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from orchestration.lib.config import Column, Source
from orchestration.lib.ingest.parsing import _expected, _parsed, _parsed_columns, _raw_value
from orchestration.lib.ingest.sql import literal


def _rule_checks(source: Source, column: Column) -> list[tuple[str, str, str]]:
    """(rule, condition that flags a bad row, reason expression) for one column, in order."""
    raw = f"nullif(trim({_raw_value(source, column)}), '')"
    parsed = _parsed(column.name)
    checks = []
    if column.required:
        checks.append(("missing_required", f"{raw} is null", literal("empty required value")))
    if column.type != "text":
        checks.append(
            (
                "unparseable",
                f"{raw} is not null and {parsed} is null",
                f"{literal(f'cannot parse as {column.type} ({_expected(column)}): ')} || {raw}",
            )
        )
    if column.accepted_values:
        values = ", ".join(literal(v) for v in column.accepted_values)
        checks.append(
            (
                "unknown_value",
                f"{parsed} is not null and {parsed} not in ({values})",
                f"{literal('not an accepted value: ')} || {parsed}",
            )
        )
    if column.type in ("date", "timestamp") and column.event:
        # Not after the wall clock (a day of slack for clocks and time zones), and not after the
        # export that reports the event: its day (local, the source's zone) plus days_after_export.
        now = "timezone('UTC', now())"
        limit = f"cast({now} as date) + 1" if column.type == "date" else f"{now} + interval 1 day"
        checks.append(
            (
                "in_future",
                f"{parsed} > {limit}",
                f"cast({parsed} as varchar) || {literal(' is in the future')}",
            )
        )
        days = source.days_after_export
        if column.type == "date":
            after, shown, zone = f"{parsed} > _partition_date + {days}", f"cast({parsed} as varchar)", ""
        else:  # __events_before: the export day's end plus the days, in UTC (_export_days)
            after, shown = f"{parsed} >= __events_before", f"cast({parsed} as varchar) || ' UTC'"
            zone = f" in {source.timezone}"
        slack = f"{zone} (+{days} day{'' if days == 1 else 's'} allowed)"
        checks.append(
            (
                "after_export",
                after,
                f"{shown} || {literal(' is after the export day ')} || cast(_partition_date as varchar) "
                f"|| {literal(slack)}",
            )
        )
    for bound, operator in ((column.min, "<"), (column.max, ">")):
        if bound is None:
            continue
        limit = _parsed(bound) if isinstance(bound, str) else str(bound)
        if column.type in ("date", "timestamp"):  # the bound is another column: an order of events
            word = "before" if operator == "<" else "after"
            rule, reason = (
                "out_of_order",
                (
                    f"{literal(f'{column.name} ')} || cast({parsed} as varchar) || "
                    f"{literal(f' is {word} {bound} ')} || cast({limit} as varchar)"
                ),
            )
        else:
            rule = "out_of_range"
            reason = f"cast({parsed} as varchar) || {literal(f' {operator} ')} || cast({limit} as varchar)"
        checks.append((rule, f"{parsed} {operator} {limit}", reason))
    return checks


def _first_failing(checks: list[tuple[str, str]]) -> str:
    """CASE expression returning the value of the first check whose condition holds."""
    if not checks:
        return "cast(null as varchar)"
    return "case " + " ".join(f"when {cond} then {value}" for cond, value in checks) + " end"


def _of_check(values: dict[int, str]) -> str:
    """CASE expression picking the value of the row's check (__check: 0 a repeat, -1 a conflict,
    n the n-th rule)."""
    if not values:
        return "cast(null as varchar)"
    return "case __check " + " ".join(f"when {n} then {v}" for n, v in values.items()) + " end"


def _export_days(con, source: Source) -> None:
    """Temp table export_days: each partition of `staged` with the first instant (naive UTC) after
    its export day plus days_after_export, midnight in the source's zone. Computed once per day
    here: a time zone conversion per row costs a quarter of a microsecond, a join almost nothing."""
    zone = ZoneInfo(source.timezone)
    days = [day for (day,) in con.execute("select distinct _partition_date from staged").fetchall()]
    bounds = [
        datetime.combine(day + timedelta(days=source.days_after_export + 1), time(), zone)
        .astimezone(UTC)
        .replace(tzinfo=None)
        for day in days
    ]
    con.execute("create or replace temp table export_days (_partition_date date, __events_before timestamp)")
    if days:
        con.execute(
            "insert into export_days select unnest(?::date[]), unnest(?::timestamp[])", [days, bounds]
        )


def _check(con, source: Source) -> None:
    """Parse `staged` into `parsed` in one pass: every mapped column to its type, and the number
    of the first row-level rule the row breaks (__check, evaluated once per row). Rows that break
    a rule, copies of an earlier good row of their file, and good rows that give one record two
    contents (conflicts) are listed in `bad`, with the column and reason of repeats and conflicts."""
    _export_days(con, source)
    parsed_columns = _parsed_columns(source)
    checks = [check for c in source.columns for check in _rule_checks(source, c)]
    failing = _first_failing([(cond, str(n)) for n, (_, cond, _) in enumerate(checks, 1)])
    con.execute(
        f"""create or replace temp table parsed as
        select _source_file, _partition_date, _line, {", ".join(_parsed(c.name) for c in source.columns)},
            {failing} as __check
        from (
            select *, {parsed_columns} from staged inner join export_days using (_partition_date)
        ) as typed"""
    )
    # A record is its key and version (primary key + version_column; without a version column,
    # the primary key) within an export day: several files of a day are one delivery and its
    # corrected copies. Good rows of one record with different contents are a conflict, all of
    # them quarantined: which one is right is unknown, and staging would pick one arbitrarily.
    # Identical rows are copies: in one file the later ones are repeats; in two files of the day
    # both load (staging keeps one, they are equal). A source versioned by row order has no
    # conflicts: its repeats are identical rows of a file. Rows whose key hashes alike are found
    # in one cheap pass over a 64-bit hash; only those are compared on the values themselves.
    key_names = _record_key(source)
    key = [_parsed(k) for k in key_names]
    content = [_parsed(c.name) for c in source.columns]
    scope = "_source_file" if source.versioned_by_row_order else "_partition_date"
    p_key, p_content = (", ".join(f"p.{k}" for k in columns) for columns in (key, content))
    same_key = " and ".join(f"c.{k} is not distinct from r.{k}" for k in key)
    same_content = " and ".join(f"c.{k} is not distinct from r.{k}" for k in content)
    differing = ", ".join(
        f"case when count(distinct {_parsed(c.name)}) + (count({_parsed(c.name)}) < count(*))::int > 1 "
        f"then {literal(c.name)} end"
        for c in source.columns
        if c.name not in key_names
    )
    key_values = " || ', ' || ".join(f"coalesce(cast({k} as varchar), 'null')" for k in key)
    if source.version_column:
        copy_column = literal(", ".join(key_names))
        copy_reason = literal("same " + " and ".join(key_names) + " as line ")
    else:
        copy_column, copy_reason = "cast(null as varchar)", literal("identical to line ")
    con.execute(
        f"""create or replace temp table bad as
        with candidates as (
            select p._source_file, p._partition_date, p._line, {p_content}, hash({p_content}) as __content
            from parsed as p
            semi join (
                select {scope}, hash({", ".join(key)}) as key_hash from parsed
                where __check is null
                group by all having count(*) > 1
            ) as h on h.{scope} = p.{scope} and h.key_hash = hash({p_key})
            where p.__check is null
        ),
        records as (
            select {scope}, {", ".join(key)},
                {literal("same " + ", ".join(key_names) + " (")} || {key_values} || ') but different '
                    || concat_ws(', ', {differing or "null"}) || ': '
                    || string_agg(_source_file || ':' || _line, ', ' order by _source_file, _line)
                    as __reason,
                concat_ws(', ', {differing or "null"}) as __column
            from candidates
            group by {scope}, {", ".join(key)}
            having count(distinct __content) > 1
        ),
        conflicts as (
            select c._source_file, c._line, -1 as __check, r.__column, r.__reason
            from candidates as c
            inner join records as r on c.{scope} = r.{scope} and {same_key}
        ),
        copies as (
            select _source_file, {", ".join(content)}, min(_line) as __first_line from candidates
            group by all having count(*) > 1
        )
        select _source_file, _line, __check, cast(null as varchar) as __column,
            cast(null as varchar) as __reason
        from parsed where __check is not null
        union all
        select * from conflicts
        union all
        select c._source_file, c._line, 0, {copy_column}, {copy_reason} || r.__first_line
        from candidates as c
        inner join copies as r on c._source_file = r._source_file and {same_content}
        anti join conflicts as x on x._source_file = c._source_file and x._line = c._line
        where c._line > r.__first_line"""
    )


def _record_key(source: Source) -> list[str]:
    """The columns that identify one version of a record (see _check)."""
    key = [k for k in source.primary_key if k not in source.constants]  # a constant tells no row apart
    if source.version_column:
        return [*key, source.version_column]
    if source.versioned_by_row_order or not key:
        return [c.name for c in source.columns]
    return key
