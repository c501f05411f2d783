"""Validation of raw partitions and marts against their suites, in GE's pandas datasource."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from orchestration.lib.config import Source
from orchestration.lib.ingest import quote
from orchestration.lib.quality.data_docs import gx_context, render_data_docs
from orchestration.lib.quality.suites import read_suite, suite_columns, suite_name
from orchestration.lib.settings import settings

SAMPLE_SIZE = 5


@dataclass
class Failure:
    expectation: str
    column: str | None
    severity: str
    unexpected_count: int
    sample_values: list
    detail: str


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

    The rows are read and validated in chunks of whole partitions (partition_chunks),
    each a GE run named "<run_name> <first>..<last>"; a failed expectation is reported once, its
    unexpected rows summed over the chunks and its samples the first ones found. render: as in
    run_suite."""
    suite = suite or read_suite(suite_name(source))
    columns = suite_columns(suite)
    chunks = partition_chunks(con, source, partitions, settings().quality_chunk_rows)
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
    """Run a suite on a DataFrame in GE's project (settings().quality_dir), store the result, and
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
    context = gx_context(str(settings().quality_dir))
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


def _plain(value):
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)
