"""The single entry point of the Dagster code location (pyproject: [tool.dagster])."""

import warnings

import dagster as dg

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

from orchestration.defs.automation import landing_sensor, nightly  # noqa: E402
from orchestration.defs.dbt.assets import cx_dbt_models  # noqa: E402
from orchestration.defs.ingest.assets import ingest_assets  # noqa: E402
from orchestration.defs.jobs import all_assets_job  # noqa: E402
from orchestration.defs.publish import published_marts  # noqa: E402
from orchestration.defs.quality.checks import quality_checks  # noqa: E402
from orchestration.defs.resources import WarehouseResource, dbt_resource  # noqa: E402

defs = dg.Definitions(
    assets=[*ingest_assets, cx_dbt_models, published_marts],
    asset_checks=quality_checks,
    jobs=[all_assets_job],
    schedules=[nightly],
    sensors=[landing_sensor],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
