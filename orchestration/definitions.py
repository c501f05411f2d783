"""The single entry point of the Dagster code location (pyproject: [tool.dagster])."""

import os
import warnings

import dagster as dg

# A run over a range of days announces each partitioned asset once, with the range, rather than
# once per day: with SQLite run storage (`make ui`, tests) each event is a write, and a two-year
# backfill of 20 sources would otherwise write 14,600 "planned" events before starting. (Dagster's
# trade-off: the days of a failed run show as missing, not failed.) The Makefile exports it too,
# for the processes of `dagster dev` that launch runs without importing this module.
os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")

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
