"""Every dbt model and seed as a Dagster asset; dbt tests as asset checks.

The dbt assets are not partitioned: a run over a range of days of ingestion (a nightly run is
one day, a backfill many) invokes dbt once, with the first day of the run's window passed as dbt var
window_start (a business date) so incremental models know what to rebuild. Partitioning them by
day too would make Dagster record one event per model and day: 110,000 events, a quarter of an
hour of bookkeeping, for a two-year backfill.
"""

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.partitions import WAREHOUSE_POOL, run_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.settings import DBT_PROJECT_DIR, settings

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=settings().dbt_target,
)
dbt_project.prepare_if_dev()


# A mart not rebuilt for this many hours is stale (the nightly run rebuilds them every day).
MARTS_STALE_AFTER_HOURS = settings().marts_stale_after_hours
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=MARTS_STALE_AFTER_HOURS),
    warn_window=timedelta(hours=MARTS_STALE_AFTER_HOURS * 0.75),
)


class CxTranslator(DagsterDbtTranslator):
    """Group dbt assets by layer and area (staging_customer_service, marts_delivery, ...); marts get a
    freshness policy."""

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id, {})
        if node.get("resource_type") == "model" and node.get("config", {}).get("schema") == "marts":
            spec = spec.replace_attributes(freshness_policy=MARTS_FRESHNESS)
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        folders = fqn[1:-1]
        return "_".join(folders[:2]) if folders else "dbt"


def dbt_vars(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The run's window. A run without partitions (the marts alone, from the UI) passes none:
    incremental models then re-process from their newest day minus the lookback."""
    days = run_partitions(context)
    return {"window_start": days[0].isoformat()} if days else {}


class DbtBuildConfig(dg.Config):
    """full_refresh rebuilds the incremental models and marts from all of history: needed once
    after an upgrade that changes their columns (dbt then stops with "out of sync")."""

    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=CxTranslator(),
    pool=WAREHOUSE_POOL,
)
def cx_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    config: DbtBuildConfig,
    warehouse: WarehouseResource,
):
    # `warehouse` is not read here (dbt opens the file itself): requiring it makes a run of dbt
    # models alone hold the warehouse's writer lock too (WarehouseResource.yield_for_execution).
    # Unit tests check the models' SQL on fixed inputs, which no run changes: they run in
    # `make test` (tests/test_end_to_end.py) and on Spark, not every night (dbt's advice).
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_vars(context))]
    if config.full_refresh:
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()


# The marts BI tools read: checked by their suites, then published.
MART_KEYS = [
    key
    for key in cx_dbt_models.keys
    if (cx_dbt_models.get_asset_spec(key).group_name or "").startswith("marts")
]
