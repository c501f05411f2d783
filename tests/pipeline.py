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


def copy_project(destination: Path) -> Path:
    """A copy of the repository's tracked files (modification times kept, so that make sees the
    install as current) with the virtual environment linked in: a retailer's clone, to change
    its configuration in a test without touching this one."""
    import shutil
    import subprocess

    root = Path(__file__).resolve().parents[1]
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    for name in filter(None, files):
        if (root / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, destination / name)
    (destination / ".venv").symlink_to(root / ".venv")
    return destination


def run_in(project: Path, command: list[str], **env: str):
    """Run a command in a copy of the project (copy_project) with its own data folders (under
    the copy) and the given settings; return the completed process (output captured)."""
    import subprocess

    data = project / "data"
    variables = {
        **os.environ,
        "CX_LANDING_DIR": str(data / "landing"),
        "DUCKDB_DATABASE": str(data / "warehouse" / "cx.duckdb"),
        "CX_PUBLISHED_DIR": str(data / "published"),
        "CX_QUALITY_DIR": str(data / "quality"),
        "DAGSTER_HOME": str(project / ".dagster_home"),
        **env,
    }
    (project / ".dagster_home").mkdir(exist_ok=True)
    return subprocess.run(command, cwd=project, env=variables, capture_output=True, text=True)
