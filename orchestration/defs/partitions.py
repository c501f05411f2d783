"""Daily partitions in the business time zone: the ingestion assets are partitioned by export
day. The dbt models and the published marts are not: a run over a range of days (a nightly run
is one day, a backfill many) builds them once, for the run's window (run_partitions)."""

from datetime import date, timedelta

import dagster as dg

from orchestration.lib.settings import settings

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=settings().partitions_start,
    timezone=settings().business_timezone,
    end_offset=0,
)

# Every asset that writes to the warehouse takes a slot of this pool (limit 1, set in
# .dagster_home/dagster.yaml by `make ui`): DuckDB allows one writing process at a time.
WAREHOUSE_POOL = "duckdb_warehouse"


def run_partitions(context) -> list[date]:
    """The partitions of the run: its partition key or its partition range (none for a run that
    only rebuilds unpartitioned assets)."""
    tags = context.run.tags
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    if not start:
        return []
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
