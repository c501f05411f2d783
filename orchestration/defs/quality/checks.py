"""Great Expectations as Dagster asset checks on the raw assets, run on the run's partitions.

An error-level failure (a broken rule of the suite, or a volume drop) fails the check with
severity ERROR, and because the checks are blocking, the dbt models downstream are not built in
that run. Warning-level failures are reported (severity WARN) and do not block.
"""

from datetime import date, timedelta

import dagster as dg

from orchestration.defs.ingest.assets import SOURCES
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.config import Source
from orchestration.lib.quality import load_rules, validate, volume_failures

VOLUME_WARN_ONLY = set(load_rules().get("_volume_warning_only", []))


def run_partitions(context) -> list[date]:
    """The partitions of the run: its partition key or its partition range."""
    tags = context.run.tags
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    if not start:
        return []
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def build_check(source: Source) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", source.name]),
        name="great_expectations",
        blocking=True,
        description=f"Suite expectations/suites/raw.{source.name}.json and the volume rule, on the "
        "partitions of the run. Errors block downstream assets; warnings are reported.",
    )
    def check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        partitions = run_partitions(context)
        with warehouse.connect() as con:
            failures = validate(con, source, partitions)
            failures += volume_failures(
                con, source, partitions, "warning" if source.name in VOLUME_WARN_ONLY else "error"
            )
        errors = [f for f in failures if f.severity == "error"]
        for failure in failures:
            context.log.warning(
                f"raw.{source.name}: {failure.expectation} on {failure.column or 'table'} "
                f"({failure.severity}): {failure.unexpected_count} unexpected, "
                f"e.g. {failure.sample_values[:3]}"
            )
        return dg.AssetCheckResult(
            passed=not failures,
            severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
            metadata={
                "partitions": f"{partitions[0]} .. {partitions[-1]}" if partitions else "none",
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

    return check


quality_checks = [build_check(source) for source in SOURCES]
