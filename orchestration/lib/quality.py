"""Great Expectations suites for the raw tables, and their validation on a run's partitions.

Route: GE's pandas datasource, fed from DuckDB through Arrow with only the rows of the
partitions being validated and only the columns the suite needs (bounded memory). GE's SQL
datasource is not used: on DuckDB through duckdb-engine it reads results after the connection
has closed and reports every expectation as failed (see DECISIONLOG.md). Whole-history rules
(a key unique across every partition) are dbt tests on the staging models.

Suites are generated from sources.yml (types, required columns, vocabularies, ranges) plus the
hand-written rules of expectations/rules.yml (timestamp order, not in the future), written as
JSON under expectations/suites/ and committed: `python -m orchestration.lib.quality write-suites`.
Each expectation carries meta.severity: "error" blocks downstream assets, "warning" is reported.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import yaml

from orchestration.lib.config import Source, load_sources
from orchestration.lib.ingest import quote

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
SUITES_DIR = EXPECTATIONS_DIR / "suites"
RULES_FILE = EXPECTATIONS_DIR / "rules.yml"
SAMPLE_SIZE = 5


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
    # A key repeated inside one export file (a duplicated row) is reported as a warning: staging
    # keeps one. Across files the same key is a newer version of the record, not a duplicate.
    add("expect_compound_columns_to_be_unique", "warning", column_list=[*source.primary_key, "_source_file"])
    for rule in rules.get(source.name) or []:
        rule = dict(rule)
        severity = rule.pop("severity", "error")
        add(rule.pop("expectation"), severity, **rule)
    return {"name": suite_name(source), "expectations": expectations, "meta": {"source": source.name}}


def load_rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")) or {}


def write_suites(sources: list[Source] | None = None) -> list[Path]:
    SUITES_DIR.mkdir(parents=True, exist_ok=True)
    rules = load_rules()
    written = []
    for source in sources or load_sources():
        path = SUITES_DIR / f"{suite_name(source)}.json"
        path.write_text(
            json.dumps(build_suite_dict(source, rules), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written


def read_suite(source: Source) -> dict:
    return json.loads((SUITES_DIR / f"{suite_name(source)}.json").read_text(encoding="utf-8"))


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
    """The rows of the given partitions, only the needed columns, via Arrow into pandas."""
    existing = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [source.name],
        ).fetchall()
    }
    selected = [c for c in columns if c in existing and not c.startswith("_")] + [
        "_source_file",
        "_source_row",
    ]
    sql = (
        f"select {', '.join(quote(c) for c in selected)} from raw.{quote(source.name)} "
        "where _partition_date in (select unnest(?::date[]))"
    )
    return con.execute(sql, [partitions]).to_arrow_table().to_pandas()


def validate(
    con: duckdb.DuckDBPyConnection, source: Source, partitions: list[date], suite: dict | None = None
) -> list[Failure]:
    """Validate the partitions' rows against the source's suite; return the failed expectations."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    suite = suite or read_suite(source)
    frame = partition_frame(con, source, suite_columns(suite), partitions)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("raw").add_dataframe_asset(name=source.name)
    batch = asset.add_batch_definition_whole_dataframe("partitions").get_batch(
        batch_parameters={"dataframe": frame}
    )
    gx_suite = gx.ExpectationSuite(name=suite["name"])
    for expectation in suite["expectations"]:
        gx_suite.add_expectation_configuration(
            ExpectationConfiguration(
                type=expectation["type"], kwargs=expectation["kwargs"], meta=expectation["meta"]
            )
        )
    result = batch.validate(
        gx_suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    )
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        details = item.result or {}
        exception = (item.exception_info or {}).get("exception_message") if item.exception_info else None
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
    return failures


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


def _plain(value):
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)


def main(argv: list[str]) -> int:
    if argv[:1] != ["write-suites"]:
        print("usage: python -m orchestration.lib.quality write-suites")
        return 2
    for path in write_suites():
        print(path.relative_to(EXPECTATIONS_DIR.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
