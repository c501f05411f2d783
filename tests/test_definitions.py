"""The Dagster definitions load, and every source flows to the marts in the asset graph."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import defs
from orchestration.lib.config import load_sources


def test_definitions_load_with_every_source_as_an_asset():
    graph = defs.get_repository_def().asset_graph
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for source in load_sources():
        assert f"raw/{source.name}" in keys


def test_every_source_feeds_a_staging_model_and_a_mart():
    graph = defs.resolve_asset_graph()

    def downstream(key: dg.AssetKey) -> set[dg.AssetKey]:
        seen, todo = set(), [key]
        while todo:
            for child in graph.get(todo.pop()).child_keys:
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    for source in load_sources():
        reached = downstream(dg.AssetKey(["raw", source.name]))
        names = {key.path[-1] for key in reached}
        groups = {graph.get(key).group_name for key in reached}
        assert any(name.startswith("stg_") for name in names), source.name
        assert any(group.startswith("marts_") for group in groups), source.name
        assert dg.AssetKey(["published", "marts"]) in reached, source.name


def test_job_schedule_and_sensor_are_defined():
    assert defs.resolve_job_def("cx_daily").partitions_def is not None
    assert {s.name for s in defs.schedules} == {"nightly"}
    assert {s.name for s in defs.sensors} == {"landing_sensor"}


def test_raw_assets_are_daily_partitions_and_dbt_builds_the_window_of_the_run():
    from types import SimpleNamespace

    from orchestration.defs.dbt.assets import dbt_vars

    graph = defs.resolve_asset_graph()
    partitioned = {key.path[0] for key in graph.get_all_asset_keys() if graph.get(key).partitions_def}
    assert partitioned == {"raw"}  # dbt models and the published marts: one event per run, not per day

    def run(**tags):
        return SimpleNamespace(run=SimpleNamespace(tags=tags))

    backfill = run(
        **{
            "dagster/asset_partition_range_start": "2025-07-01",
            "dagster/asset_partition_range_end": "2025-07-31",
        }
    )
    assert dbt_vars(backfill) == {"window_start": "2025-07-01"}
    assert dbt_vars(run(**{"dagster/partition": "2025-08-14"})) == {"window_start": "2025-08-14"}
    assert dbt_vars(run()) == {}  # the marts alone (from the UI): incremental models pick their cutoff


def test_the_dbt_resource_skips_dagster_dbts_version_subprocess_and_adapter(monkeypatch):
    """CxDbtCliResource replaces two private members of dagster-dbt's resource: they must still
    exist there (else an upgrade silently brings back 3.6 s per run), and the overrides must
    neither start `dbt --version` nor open an adapter."""
    import importlib.metadata

    from dagster_dbt import DbtCliResource
    from dagster_dbt.core import resource as dagster_dbt_resource

    from orchestration.defs.resources import dbt_resource

    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has {name}"

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"subprocess started: {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    dbt = dbt_resource()
    assert str(dbt._cli_version) == importlib.metadata.version("dbt-core")
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
