"""Resources: the DuckDB warehouse and the dbt CLI, configured from environment variables."""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, settings
from orchestration.lib.writer_lock import writer_lock


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: a run that uses it holds the warehouse's
    writer lock from start to end (orchestration.lib.writer_lock), whatever started it, and a
    DuckDB file locked by another process (a reader) is retried with backoff."""

    database: str = str(settings().warehouse_path)
    lock_retries: int = 6
    memory_limit: str = settings().duckdb_memory_limit

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """Once per run (in-process executor): wait for the writer lock, hold it until the run ends."""
        run = context.run
        holder = "a Dagster process"
        if run:
            trigger = run.tags.get("trigger")
            holder = f"Dagster run {run.run_id} of {run.job_name}" + (f" ({trigger})" if trigger else "")
        log = context.log.warning if context.log else print
        with writer_lock(Path(self.database), holder, log=log):
            yield self

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        connection = self._connect_with_retry(read_only)
        try:
            yield connection
        finally:
            connection.close()

    def _connect_with_retry(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        delay = 0.5
        for attempt in range(self.lock_retries + 1):
            try:
                connection = duckdb.connect(self.database, read_only=read_only)
                connection.execute("set TimeZone = 'UTC'")
                connection.execute(f"set memory_limit = '{self.memory_limit}'")
                connection.execute("set enable_progress_bar = false")
                return connection
            except duckdb.IOException as error:
                if "lock" not in str(error).lower() or attempt == self.lock_retries:
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


class CxDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two things it does before every dbt invocation that cost
    3.6 s of each run (a nightly is about 75 s) and that this project does not use:

    - `dbt --version` in a subprocess (2.0 s), to learn the version of the dbt executable: it is
      the virtual environment's own dbt (DBT_EXECUTABLE), so dbt-core's package version;
    - a dbt adapter opened in the Dagster process (1.6 s), used only to fetch row counts and
      column metadata after the run, which the project does not ask for.

    Both override private members of dagster-dbt 0.29 (pinned); tests/test_definitions.py fails
    if an upgrade removes either."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    return CxDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        target=settings().dbt_target,
        dbt_executable=str(DBT_EXECUTABLE),
    )
