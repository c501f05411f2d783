"""Daily partitions in the business time zone, shared by ingestion and dbt assets."""

import dagster as dg

from orchestration.lib import env

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=env.partitions_start(),
    timezone=env.BUSINESS_TIMEZONE,
    end_offset=0,
)

# Every asset that writes to the warehouse takes a slot of this pool (limit 1, set in
# .dagster_home/dagster.yaml by `make ui`): DuckDB allows one writing process at a time.
WAREHOUSE_POOL = "duckdb_warehouse"
