"""Data quality as blocking Dagster asset checks named `quality`: on each raw asset (the run's
partitions: its Great Expectations suite, the volume rule, the rows quarantined at ingestion, an
export for every day one is expected, text whose letters were lost to '?') and on the marts (their
suites, after dbt has built them).

An error-level failure (a broken rule of the suite, a volume drop, a missing export) fails the check with
severity ERROR, and because the checks are blocking, the assets downstream are not built in that
run: a failed raw check stops dbt, a failed mart check stops publishing, so readers keep the last
good version. Warning-level failures are reported (severity WARN) and do not block. Every
validation is also rendered into Data Docs (see orchestration.lib.quality), once per run, with
Data Docs' index page: by the mart checks after the last mart, and at once by a raw check that
fails (the run may stop there).
"""

from contextlib import contextmanager

import dagster as dg

from orchestration.defs.dbt.assets import MART_KEYS
from orchestration.defs.ingest.assets import SOURCES
from orchestration.defs.partitions import run_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.config import Source
from orchestration.lib.quality import (
    Failure,
    SuiteMissingError,
    encoding_failures,
    load_rules,
    missing_export_failures,
    quarantine_failures,
    render_data_docs,
    validate,
    validate_mart,
    volume_failures,
)

RULES = load_rules()
VOLUME_WARN_ONLY = set(RULES.get("_volume_warning_only", []))
QUARANTINE = RULES["_quarantine"]  # error_share, min_rows
ENCODING_LOSS = RULES["_encoding_loss"]  # min_share


def check_result(
    context, table: str, failures: list[Failure], metadata: dict, asset_key: dg.AssetKey | None = None
) -> dg.AssetCheckResult:
    """The check's outcome: ERROR if any error-level expectation failed, with each failure (rule,
    column, count, sample values) in the metadata and the log."""
    errors = [f for f in failures if f.severity == "error"]
    for failure in failures:
        context.log.warning(
            f"{table}: {failure.expectation} on {failure.column or 'table'} "
            f"({failure.severity}): {failure.unexpected_count} unexpected, "
            f"e.g. {failure.sample_values[:3]}; {failure.detail}"
        )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name="quality",
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        metadata={
            **metadata,
            "failed_expectations": dg.MetadataValue.json(
                [
                    {
                        "expectation": f.expectation,
                        "column": f.column,
                        "severity": f.severity,
                        "unexpected_count": f.unexpected_count,
                        "sample_values": f.sample_values,
                        "detail": f.detail,
                    }
                    for f in failures
                ]
            ),
            "errors": len(errors),
            "warnings": len(failures) - len(errors),
        },
    )


@contextmanager
def suite_required():
    """A table without its generated suite fails the check with what to run, not a traceback."""
    try:
        yield
    except SuiteMissingError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from error


def build_check(source: Source) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", source.name]),
        name="quality",
        blocking=True,
        description=f"On the partitions of the run: suite expectations/suites/raw.{source.name}.json, "
        "the volume rule, the rows kept in quarantine, an export for every expected day, and text that "
        "lost its letters to '?' (a warning). Errors block downstream assets; warnings are reported.",
    )
    def check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        partitions = run_partitions(context)
        with warehouse.connect() as con, suite_required():
            failures = validate(con, source, partitions, run_name=context.run.run_id, render=False)
            failures += volume_failures(
                con, source, partitions, "warning" if source.name in VOLUME_WARN_ONLY else "error"
            )
            failures += quarantine_failures(con, source, partitions, **QUARANTINE)
            failures += missing_export_failures(con, source, partitions)
            failures += encoding_failures(con, source, partitions, **ENCODING_LOSS)
        if failures:
            render_data_docs()
        return check_result(
            context,
            f"raw.{source.name}",
            failures,
            {"partitions": f"{partitions[0]} .. {partitions[-1]}" if partitions else "none"},
        )

    return check


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "quality",
            asset=key,
            blocking=True,
            description=f"Suite expectations/suites/marts.{key.path[-1]}.json on the whole mart. "
            "Errors block publishing.",
        )
        for key in MART_KEYS
    ],
    name="marts_quality",
)
def mart_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con, suite_required():
        for key in MART_KEYS:
            mart = key.path[-1]
            failures = validate_mart(con, mart, context.run.run_id, render=False)
            (rows,) = con.execute(f"select count(*) from marts.{mart}").fetchall()[0]
            yield check_result(context, f"marts.{mart}", failures, {"rows": rows}, asset_key=key)
    render_data_docs()


quality_checks = [*(build_check(source) for source in SOURCES), mart_checks]
