"""Great Expectations suites for the raw tables and the marts, and their validation.

Route: GE's pandas datasource, fed from DuckDB through Arrow with only the columns the suite
needs: for a raw table only the rows of the partitions being validated, for a mart the whole mart
(an aggregate: periods x channels, thousands of rows). GE's SQL datasource is not used: on DuckDB
through duckdb-engine it reads results after the connection has closed and reports every
expectation as failed (see DECISIONLOG.md). Whole-history rules (a key unique across every
partition) are dbt tests on the staging models.

A raw table's partitions are validated in chunks of whole partitions of at most CHUNK_ROWS rows
(`CX_QUALITY_CHUNK_ROWS`), one GE run each, their failures merged: a backfill of two years holds
millions of rows, and one DataFrame of them (object-dtype strings) would take gigabytes.

Suites are generated and committed under expectations/suites/ (`make manifest`, see
orchestration/lib/generate.py): a raw table's from sources.yml (types, required
columns, vocabularies, ranges) plus the hand-written rules of expectations/rules.yml (timestamp
order); a mart's from its dbt model (contract columns, key, unit ranges) plus the `_marts`
section of rules.yml. Each expectation carries meta.severity: "error" blocks downstream assets,
"warning" is reported. Every validation is stored in GE's project under env.quality_dir() and
rendered into Data Docs there.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import yaml

from orchestration.lib import env
from orchestration.lib.config import Source
from orchestration.lib.ingest import literal, quote

EXPECTATIONS_DIR = env.PROJECT_ROOT / "expectations"
SUITES_DIR = EXPECTATIONS_DIR / "suites"
RULES_FILE = EXPECTATIONS_DIR / "rules.yml"
DBT_MANIFEST = env.DBT_PROJECT_DIR / "target" / "manifest.json"
SAMPLE_SIZE = 5
KEEP_RESULTS = int(os.environ.get("CX_QUALITY_KEEP_RESULTS", "30"))  # validations kept per suite
# Rows of a raw table read into one DataFrame at most (a partition above it is read whole).
CHUNK_ROWS = int(os.environ.get("CX_QUALITY_CHUNK_ROWS", "1000000"))
NUMERIC_TYPES = ("bigint", "integer", "double", "decimal", "float", "numeric")


class SuiteMissingError(RuntimeError):
    """A table has no generated suite (sources.yml or a mart changed since `make manifest`)."""


@dataclass
class Failure:
    expectation: str
    column: str | None
    severity: str
    unexpected_count: int
    sample_values: list
    detail: str


def suite_name(source: Source) -> str:
    return f"raw.{source.name}"


def build_suite_dict(source: Source, rules: dict) -> dict:
    """The suite of one raw table, as GE's JSON form (name, expectations with meta)."""
    expectations = []

    def add(kind: str, severity: str, **kwargs) -> None:
        expectations.append({"type": kind, "kwargs": kwargs, "meta": {"severity": severity}})

    for column in source.columns:
        add("expect_column_to_exist", "error", column=column.name)
        if column.required:
            add("expect_column_values_to_not_be_null", "error", column=column.name)
        if column.accepted_values:
            add(
                "expect_column_values_to_be_in_set",
                "error",
                column=column.name,
                value_set=list(column.accepted_values),
            )
        low, high = column.min, column.max
        if isinstance(low, int | float) or isinstance(high, int | float):
            add(
                "expect_column_values_to_be_between",
                "error",
                column=column.name,
                min_value=low if isinstance(low, int | float) else None,
                max_value=high if isinstance(high, int | float) else None,
            )
        # A bound naming another column: events in order, a score within its own scale.
        pairs = [(column.name, low)] if isinstance(low, str) else []
        pairs += [(high, column.name)] if isinstance(high, str) else []
        for larger, smaller in pairs:
            add(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "error",
                column_A=larger,
                column_B=smaller,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
    # One row per key and version in an export (ingestion quarantines repeats). Across files the
    # same key is a newer version of the record, not a duplicate.
    if source.version_column:
        add(
            "expect_compound_columns_to_be_unique",
            "error",
            column_list=[*source.primary_key, source.version_column, "_source_file"],
        )
    for rule in rules.get(source.name) or []:
        rule = dict(rule)
        severity = rule.pop("severity", "error")
        add(rule.pop("expectation"), severity, **rule)
    return {"name": suite_name(source), "expectations": expectations, "meta": {"source": source.name}}


def mart_models(manifest_path: Path = DBT_MANIFEST) -> list[dict]:
    """The mart models of dbt's manifest, each with the key of its unique_combination test."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    keys = {
        node["attached_node"]: node["test_metadata"]["kwargs"]["columns"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "unique_combination"
    }
    marts = [
        {**node, "key": keys.get(node["unique_id"], [])}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    return sorted(marts, key=lambda node: node["name"])


def build_mart_suite_dict(model: dict, rules: dict) -> dict:
    """The suite of one mart: its contract's columns, its key, and a range for every numeric
    column (from the KPI unit, an override in rules.yml, or not negative). A column of rules.yml's
    warning_ranges gets that range as a warning, and keeps only its own override or not negative
    as an error: a bound that real data can cross is reported, never blocks publishing."""
    mart_rules = rules.get("_marts") or {}
    unit_ranges = mart_rules.get("unit_ranges") or {}
    column_ranges = mart_rules.get("column_ranges") or {}
    warning_ranges = mart_rules.get("warning_ranges") or {}
    signed = set(mart_rules.get("signed_columns") or [])
    vocabularies = mart_rules.get("vocabularies") or {}
    columns = list(model["columns"].values())
    expectations = []

    def add(kind: str, severity: str = "error", **kwargs) -> None:
        expectations.append({"type": kind, "kwargs": kwargs, "meta": {"severity": severity}})

    add("expect_table_columns_to_match_set", column_set=[c["name"] for c in columns], exact_match=True)
    if model["key"]:
        add("expect_compound_columns_to_be_unique", column_list=model["key"])
    for column in columns:
        name = column["name"]
        if name in ("period_grain", "period_start"):
            add("expect_column_values_to_not_be_null", column=name)
        if name in vocabularies:
            add("expect_column_values_to_be_in_set", column=name, value_set=vocabularies[name])
        qualified = f"{model['name']}.{name}"
        warning = warning_ranges.get(qualified)
        bounds = column_ranges.get(qualified) or (
            None if warning else unit_ranges.get((column.get("meta") or {}).get("unit"))
        )
        numeric = (column.get("data_type") or "").startswith(NUMERIC_TYPES)
        if bounds is None and numeric and name not in signed:
            bounds = [0, None]
        if bounds is not None:
            add("expect_column_values_to_be_between", column=name, min_value=bounds[0], max_value=bounds[1])
        if warning:
            add(
                "expect_column_values_to_be_between",
                "warning",
                column=name,
                min_value=warning[0],
                max_value=warning[1],
            )
    return {"name": f"marts.{model['name']}", "expectations": expectations, "meta": {"mart": model["name"]}}


def load_rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")) or {}


def read_suite(name: str) -> dict:
    """A committed suite by name: raw.<source> or marts.<mart>."""
    path = SUITES_DIR / f"{name}.json"
    if not path.exists():
        raise SuiteMissingError(
            f"no Great Expectations suite expectations/suites/{name}.json: run `make manifest` "
            "(python -m orchestration.lib.generate) after changing sources.yml or the dbt models"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def suite_columns(suite: dict) -> list[str]:
    columns = set()
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                columns.add(kwargs[key])
        columns.update(kwargs.get("column_list", []))
    return sorted(columns)


def partition_frame(
    con: duckdb.DuckDBPyConnection, source: Source, columns: list[str], partitions: list[date]
):
    """The rows of the given partitions, only the needed columns, via Arrow into pandas.
    Decimals arrive as doubles: as Python Decimal objects GE would compare them one by one."""
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [source.name],
        ).fetchall()
    )
    selected = [c for c in columns if c in types and not c.startswith("_")] + ["_source_file", "_source_row"]
    expressions = [
        f"cast({quote(c)} as double) as {quote(c)}" if types[c].startswith("DECIMAL") else quote(c)
        for c in selected
    ]
    sql = (
        f"select {', '.join(expressions)} from raw.{quote(source.name)} "
        "where _partition_date in (select unnest(?::date[]))"
    )
    return con.sql(sql, params=[partitions]).to_arrow_table().to_pandas()


def partition_chunks(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date], limit: int
) -> list[list[date]]:
    """The given partitions that hold rows, in date order, grouped into chunks of consecutive whole
    partitions of at most `limit` rows; a partition of more rows is a chunk of its own (a rule such
    as one row per key and version in an export must see the whole export)."""
    counts = con.execute(
        f"select _partition_date, count(*) from raw.{quote(source.name)} "
        "where _partition_date in (select unnest(?::date[])) group by 1 order by 1",
        [partitions],
    ).fetchall()
    chunks: list[list[date]] = []
    rows = 0
    for day, count in counts:
        if chunks and rows + count <= limit:
            chunks[-1].append(day)
            rows += count
        else:
            chunks.append([day])
            rows = count
    return chunks


def validate(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    partitions: list[date],
    suite: dict | None = None,
    run_name: str | None = None,
    render: bool = True,
) -> list[Failure]:
    """Validate the partitions' rows against the source's suite; return the failed expectations.

    The rows are read and validated in chunks of whole partitions (partition_chunks, CHUNK_ROWS),
    each a GE run named "<run_name> <first>..<last>"; a failed expectation is reported once, its
    unexpected rows summed over the chunks and its samples the first ones found. render: as in
    run_suite."""
    suite = suite or read_suite(suite_name(source))
    columns = suite_columns(suite)
    chunks = partition_chunks(con, source, partitions, CHUNK_ROWS)
    if len(chunks) <= 1:
        frame = partition_frame(con, source, columns, partitions)
        return run_suite(frame, suite, run_name, render)
    run_time = datetime.now(UTC)  # the chunks' results are one validation to pruning
    merged: dict[tuple, tuple[int, Failure]] = {}
    for chunk in chunks:
        frame = partition_frame(con, source, columns, chunk)
        failures = _run_suite(frame, suite, f"{run_name or 'adhoc'} {chunk[0]}..{chunk[-1]}", run_time)
        del frame  # freed before the next chunk is read
        for position, failure in failures:
            _, first = merged.setdefault(
                (failure.expectation, failure.column, failure.detail), (position, failure)
            )
            if first is not failure:
                first.unexpected_count += failure.unexpected_count
                first.sample_values = (first.sample_values + failure.sample_values)[:SAMPLE_SIZE]
    if render:
        render_data_docs()
    return [failure for _, failure in sorted(merged.values(), key=lambda item: item[0])]


def validate_mart(
    con: duckdb.DuckDBPyConnection, mart: str, run_name: str | None = None, render: bool = True
) -> list[Failure]:
    """Validate a whole mart against its suite; return the failed expectations."""
    suite = read_suite(f"marts.{mart}")
    frame = con.sql(f"select * from marts.{quote(mart)}").to_arrow_table().to_pandas()
    return run_suite(frame, suite, run_name, render)


def run_suite(frame, suite: dict, run_name: str | None = None, render: bool = True) -> list[Failure]:
    """Run a suite on a DataFrame in GE's project (env.quality_dir()), store the result, and
    return the failed expectations. render=False leaves pruning and Data Docs to a later
    render_data_docs (a Dagster run calls it once, after its last validation)."""
    failures = [failure for _, failure in _run_suite(frame, suite, run_name)]
    if render:
        render_data_docs()
    return failures


def _run_suite(
    frame, suite: dict, run_name: str | None, run_time: datetime | None = None
) -> list[tuple[int, Failure]]:
    """run_suite without rendering, each failure with its position in GE's results (the same in
    every run of the suite: its order of evaluation)."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = _context(str(env.quality_dir()))
    layer, table = suite["name"].split(".", 1)
    datasource = context.data_sources.add_or_update_pandas(layer)
    asset = next((a for a in datasource.assets if a.name == table), None) or datasource.add_dataframe_asset(
        name=table
    )
    batch_definition = next(
        (b for b in asset.batch_definitions if b.name == "run"), None
    ) or asset.add_batch_definition_whole_dataframe("run")
    gx_suite = gx.ExpectationSuite(name=suite["name"])
    for expectation in suite["expectations"]:
        gx_suite.add_expectation_configuration(
            ExpectationConfiguration(
                type=expectation["type"], kwargs=expectation["kwargs"], meta=expectation["meta"]
            )
        )
    gx_suite = context.suites.add_or_update(gx_suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite["name"], data=batch_definition, suite=gx_suite)
    )
    run_id = RunIdentifier(run_name=run_name or "adhoc", run_time=run_time)
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE},
        run_id=run_id,
    )
    # GE's context (cached until the next get_context) keeps the batch, i.e. the frame: drop it, or
    # a chunk's frame would still be alive while the next one is read.
    batches = context.data_sources.get(layer).get_execution_engine().batch_manager
    batches.reset_batch_cache()
    batches.batch_data_cache.clear()
    failures, positions = [], []
    for position, item in enumerate(result.results):
        if item.success:
            continue
        config = item.expectation_config
        details = item.result or {}
        exception = (item.exception_info or {}).get("exception_message") if item.exception_info else None
        positions.append(position)
        failures.append(
            Failure(
                expectation=config.type,
                column=config.kwargs.get("column") or ",".join(config.kwargs.get("column_list", [])) or None,
                severity=(config.meta or {}).get("severity", "error"),
                unexpected_count=int(details.get("unexpected_count") or 0),
                sample_values=[_plain(v) for v in (details.get("partial_unexpected_list") or [])][
                    :SAMPLE_SIZE
                ],
                detail=exception
                or json.dumps(
                    {k: _plain(v) for k, v in config.kwargs.items() if k not in ("column", "batch_id")},
                    ensure_ascii=False,
                ),
            )
        )
    return list(zip(positions, failures, strict=True))


@functools.cache
def _context(project_root_dir: str):
    """GE's file context of the project, made once per process: reading its configuration takes
    a sixth of a second, paid by every validation of a run otherwise."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=project_root_dir)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def render_data_docs() -> None:
    """Keep each suite's newest KEEP_RESULTS validations (the chunks of one validation share its
    run_time and are kept or pruned together), and render into Data Docs every kept validation
    that has no page yet (this run's, and those of a run that stopped before rendering), with the
    index page, which lists every stored validation. Once per run, not per validation: GE renders
    ten results at once in a fifth of the time of ten one by one."""
    context = _context(str(env.quality_dir()))
    by_suite: dict[str, list] = {}
    for key in context.validation_results_store.list_keys():
        by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
    kept = []
    for keys in by_suite.values():
        pruned = set(sorted({key.run_id.run_time for key in keys})[:-KEEP_RESULTS])
        _prune([key for key in keys if key.run_id.run_time in pruned])
        kept += [key for key in keys if key.run_id.run_time not in pruned]
    unrendered = [key for key in kept if not _page(key).exists()]
    # Given no resource, GE re-renders every page: give it at least one, re-rendered with the index.
    context.build_data_docs(resource_identifiers=unrendered or kept[:1])


def _page(key) -> Path:
    """The Data Docs page of a stored validation result."""
    *suite, run_name, run_time, batch = key.to_tuple()
    return _docs_dir().joinpath("validations", *suite, run_name, run_time, f"{batch}.html")


def _docs_dir() -> Path:
    return env.quality_dir() / "gx" / "uncommitted" / "data_docs" / "local_site"


def _prune(keys) -> None:
    """Delete stored validation results and their Data Docs pages (GE keeps them forever)."""
    gx_dir = env.quality_dir() / "gx" / "uncommitted"
    for key in keys:
        *suite, run_name, run_time, _batch = key.to_tuple()
        for root in (gx_dir / "validations", _docs_dir() / "validations"):
            run_dir = root.joinpath(*suite, run_name)
            shutil.rmtree(run_dir / run_time, ignore_errors=True)
            if run_dir.is_dir() and not any(run_dir.iterdir()):
                run_dir.rmdir()


def data_docs_index() -> Path:
    return _docs_dir() / "index.html"


def volume_failures(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    partitions: list[date],
    severity: str = "error",
    history: int = 14,
    floor: float = 0.5,
) -> list[Failure]:
    """Row count of each partition against the median m of the previous `history` loaded partitions.
    It fails below both `floor` x m and m - 5 sqrt(m): a real drop (an empty export of a busy
    source fails), not the day-to-day noise of a small source (8 POS rows after a median of 28)."""
    rows = con.execute(
        """
        with days as (
            select partition_date, sum(rows_loaded) as rows_loaded
            from meta.ingested_files where source = ? group by partition_date
        ),
        ranked as (
            select partition_date, rows_loaded,
                median(rows_loaded) over (order by partition_date
                    rows between ? preceding and 1 preceding) as recent_median
            from days
        )
        select partition_date, rows_loaded, recent_median from ranked
        where partition_date in (select unnest(?::date[]))
            and recent_median > 0 and rows_loaded < ? * recent_median
            and rows_loaded < recent_median - 5 * sqrt(recent_median)
        order by partition_date
        """,
        [source.name, history, partitions, floor],
    ).fetchall()
    return [
        Failure(
            "expect_partition_row_count_within_recent_range",
            None,
            severity,
            1,
            [{"partition": str(day), "rows": int(count), "recent_median": float(median)}],
            f"{day}: {count} rows, below {floor:.0%} of the median {median:g} of the previous "
            f"{history} partitions",
        )
        for day, count, median in rows
    ]


def missing_days(con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date]) -> list[date]:
    """The partitions on which an export of `source` is expected and none landed: no file at all
    in meta.ingested_files (an empty file or a duplicate counts as delivered; the volume check
    judges its rows)."""
    delivered = {
        day
        for (day,) in con.execute(
            "select distinct partition_date from meta.ingested_files "
            "where source = ? and partition_date in (select unnest(?::date[]))",
            [source.name, partitions],
        ).fetchall()
    }
    return [day for day in sorted(partitions) if source.is_expected_on(day) and day not in delivered]


def missing_export_failures(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date]
) -> list[Failure]:
    """One error per partition for which an export of the source is expected (sources.yml
    `expected`) and none landed: the volume rule only sees days that have a file. A warning for a
    day listed in `known_missing`; the marts mark the day's periods incomplete either way."""
    return [
        Failure(
            "expect_export_delivered",
            None,
            "warning" if day in source.known_missing else "error",
            1,
            [{"partition": str(day), "files": source.file_glob(day)}],
            f"{day}: no export of source '{source.name}' landed ({source.file_glob(day)} under the "
            "landing folder)"
            + (
                "; listed in known_missing"
                if day in source.known_missing
                else "; land it and re-run the day, or if it is lost for good list the day under the "
                "source's known_missing in sources.yml (expected_from for a source that starts later)"
            ),
        )
        for day in missing_days(con, source, partitions)
    ]


def quarantine_failures(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date], error_share: float, min_rows: int
) -> list[Failure]:
    """One failure per (rule, column) of the rows quarantined at ingestion in these partitions, with
    sample reasons and their file:line. A warning, or an error when the quarantined rows exceed
    both `error_share` of the rows read and `min_rows`."""
    read, quarantined = con.execute(
        "select coalesce(sum(rows_read), 0), coalesce(sum(rows_quarantined), 0) "
        "from meta.ingested_files where source = ? and partition_date in (select unnest(?::date[]))",
        [source.name, partitions],
    ).fetchone()
    severity = "error" if quarantined > max(min_rows, error_share * read) else "warning"
    rows = con.execute(
        f"""
        select rule, column_name, count(*) as n,
            list(reason || ' (' || _source_file || ':' || _source_row || ')'
                order by _source_file, _source_row)[1:{SAMPLE_SIZE}] as samples
        from quarantine.{quote(source.name)}
        where _partition_date in (select unnest(?::date[]))
        group by rule, column_name
        order by n desc, rule, column_name
        """,
        [partitions],
    ).fetchall()
    return [
        Failure(
            f"quarantine: {rule}",
            column,
            severity,
            int(count),
            list(samples),
            f"{quarantined} of {read} rows read were quarantined "
            f"(error above {error_share:.0%} and {min_rows} rows); see quarantine.{source.name}",
        )
        for rule, column, count, samples in rows
    ]


# A letter, question marks, a letter: "Tr?i nghi?m kh?ch h?ng" is "Trải nghiệm khách hàng" after a
# tool wrote it in an encoding without Vietnamese letters. Addresses with a query string are not.
QUESTION_MARKS_IN_WORDS = r"\pL\?+\pL"


def encoding_failures(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date], min_share: float
) -> list[Failure]:
    """A warning per text column of which, in some file of these partitions, at least `min_share`
    of the values have question marks inside words. The letters were lost before the export
    reached us (a wrong encoding on our side would have failed the read), so the text is loaded
    as it is and shown here with samples: the source has to send a good export. Judged per file:
    one damaged export is a small share of a month of good ones."""
    texts = [c.name for c in source.columns if c.type == "text"]
    if not texts:
        return []

    def mangled(column: str) -> str:  # the regular expression only for the few values with a '?'
        value = quote(column)
        return (
            f"case when contains({value}, '?') then regexp_matches({value}, "
            f"{literal(QUESTION_MARKS_IN_WORDS)}) and not contains({value}, '://') else false end"
        )

    table = f"raw.{quote(source.name)}"
    in_partitions = "_partition_date in (select unnest(?::date[]))"
    counts = ", ".join(f"count({quote(c)}), count(*) filter (where {mangled(c)})" for c in texts)
    per_file = con.execute(
        f"select _source_file, {counts} from {table} where {in_partitions} group by _source_file",
        [partitions],
    ).fetchall()
    failures = []
    for position, column in enumerate(texts):
        damaged = {}  # file -> (values, values with '?' in words)
        for file, *row in per_file:
            values, bad = row[2 * position : 2 * position + 2]
            if bad and bad >= min_share * values:
                damaged[file] = (values, bad)
        if not damaged:
            continue
        samples = con.execute(
            f"select {quote(column)} || ' (' || _source_file || ':' || _source_row || ')' from {table} "
            f"where {in_partitions} and _source_file in (select unnest(?::varchar[])) and {mangled(column)} "
            f"order by _source_file, _source_row limit {SAMPLE_SIZE}",
            [partitions, sorted(damaged)],
        ).fetchall()
        bad = sum(count for _, count in damaged.values())
        values = sum(count for count, _ in damaged.values())
        failures.append(
            Failure(
                "expect_text_without_question_marks_in_words",
                column,
                "warning",
                bad,
                [sample for (sample,) in samples],
                f"{bad} of {values} values in {', '.join(sorted(damaged))} have '?' inside "
                f"words (at least {min_share:.0%} of a file's values): letters lost to an encoding "
                "before the export reached us; ask the source for a new export",
            )
        )
    return failures


def _plain(value):
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)
