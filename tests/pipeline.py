"""Run the cx_daily job in-process against a given landing folder, warehouse and published folder
(the slow tests share it)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import dagster as dg


@contextmanager
def environment(**variables: str):
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_cx_daily(
    instance: dg.DagsterInstance,
    landing: Path,
    warehouse: Path,
    published: Path,
    start: str,
    end: str,
    run_config: dict | None = None,
    **env: str,
) -> dg.ExecuteInProcessResult:
    """One run of the main job over the partitions start..end (ISO dates); failures don't raise."""
    from orchestration.definitions import defs
    from orchestration.defs.resources import WarehouseResource

    with environment(
        CX_LANDING_DIR=str(landing), DUCKDB_DATABASE=str(warehouse), CX_PUBLISHED_DIR=str(published), **env
    ):
        return defs.resolve_job_def("cx_daily").execute_in_process(
            instance=instance,
            run_config=run_config,
            resources={"warehouse": WarehouseResource(database=str(warehouse))},
            tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
            raise_on_error=False,
        )
