"""Publish the marts for readers once the run's blocking checks have passed."""

from pathlib import Path

import dagster as dg

from orchestration.defs.dbt.assets import MART_KEYS
from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.publish import publish_marts
from orchestration.lib.settings import settings


@dg.asset(
    key=dg.AssetKey(["published", "marts"]),
    group_name="published",
    deps=MART_KEYS,
    kinds={"duckdb", "parquet"},
    pool=WAREHOUSE_POOL,
    description="Read-only copy of the marts for BI tools: data/published/marts.duckdb (DuckDB >= 1.0) "
    "and data/published/parquet/<mart>.parquet, replaced atomically.",
)
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    result = publish_marts(Path(warehouse.database), settings().published_dir)
    context.log.info(f"published version {result['version']}: {result['tables']}")
    return dg.MaterializeResult(
        metadata={
            "version": result["version"],
            "storage_version": result["storage_version"],
            "tables": dg.MetadataValue.json(result["tables"]),
        }
    )
