"""The single entry point of the Dagster code location (pyproject: [tool.dagster])."""

import dagster as dg

from orchestration.defs.dbt.assets import cx_dbt_models
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.jobs import all_assets_job
from orchestration.defs.resources import WarehouseResource, dbt_resource

defs = dg.Definitions(
    assets=[*ingest_assets, cx_dbt_models],
    jobs=[all_assets_job],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
