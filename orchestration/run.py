"""Run the main job over a range of days and print a short summary (`make run`, `make backfill`).

    python -m orchestration.run                       # every day that has landed files
    python -m orchestration.run --start 2025-07-01 --end 2025-07-14
    python -m orchestration.run --full-refresh        # rebuild incremental models and marts whole

The whole range is one Dagster run: ingestion loads each day's partition, then dbt runs once
for the window. The run is recorded in DAGSTER_HOME, so it shows in the UI (`make ui`).
It holds the warehouse's writer lock from the run to the summary: a second run started meanwhile
(another CLI, the schedule, the sensor, the UI) waits for it, saying who holds it since when.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

import dagster as dg
import duckdb

from orchestration.lib.config import load_sources
from orchestration.lib.ingest import available_partitions
from orchestration.lib.quality import data_docs_index
from orchestration.lib.settings import settings
from orchestration.lib.writer_lock import WarehouseLockTimeout, writer_lock


def landed_days() -> set[date]:
    """Every day for which some source has a landed file."""
    return set().union(*(available_partitions(settings().landing_dir, s) for s in load_sources()))


def landed_range() -> tuple[date, date]:
    days = landed_days()
    if not days:
        sys.exit(f"no landed files under {settings().landing_dir}: run `make sample` first")
    return min(days), max(days)


def days_to_run(start: date, end: date) -> tuple[date, date] | None:
    """The range start..end without the days at either end that have nothing to do: no landed
    file and nothing loaded in the warehouse (a partition with neither is left as it is by a run).
    A backfill of two years with one history file is then a run of one day, not of 730 empty
    partitions of every source (each a Dagster event and a log line). None: nothing to do."""
    loaded = loaded_days()
    if loaded is None:  # the warehouse cannot be read now: run the whole range
        return start, end
    days = {day for day in landed_days() | loaded if start <= day <= end}
    return (min(days), max(days)) if days else None


def loaded_days() -> set[date] | None:
    """Every export day the warehouse holds data of (none before the first run); None when the
    file is locked by another process (a dbt left behind by a killed run, still finishing)."""
    if not settings().warehouse_path.exists():
        return set()
    try:
        con = duckdb.connect(str(settings().warehouse_path), read_only=True)
    except duckdb.IOException:
        return None
    try:
        query = "select distinct partition_date from meta.ingested_files"
        return {day for (day,) in con.execute(query).fetchall()}
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def run(start: date, end: date, full_refresh: bool = False) -> bool:
    from orchestration.definitions import defs

    job = defs.resolve_job_def("cx_daily")
    instance = dg.DagsterInstance.get()
    result = job.execute_in_process(
        instance=instance,
        run_config={
            "loggers": {"console": {"config": {"log_level": "INFO"}}},
            "ops": {"cx_dbt_models": {"config": {"full_refresh": full_refresh}}},
        },
        tags={
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": end.isoformat(),
        },
        raise_on_error=False,
    )
    return result.success


def summary() -> str:
    con = duckdb.connect(str(settings().warehouse_path), read_only=True)
    try:
        lines = [
            "",
            f"Warehouse: {settings().warehouse_path}",
            "",
            f"{'source':<24}{'domain':<11}{'read':>9}{'loaded':>9}{'quarant.':>9}  balanced",
        ]
        domains = {s.name: s.domain for s in load_sources()}
        rows = con.execute(
            "select source, sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
            "bool_and(is_balanced) from quarantine.reconciliation group by source order by source"
        ).fetchall()
        for source, read, loaded, quarantined, balanced in rows:
            lines.append(
                f"{source:<24}{domains.get(source, ''):<11}{read:>9}{loaded:>9}"
                f"{quarantined:>9}  {'yes' if balanced else 'NO'}"
            )
        marts = con.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' "
            "order by table_name"
        ).fetchall()
        lines += [
            "",
            "Marts: " + (", ".join(f"marts.{name} ({size} rows)" for name, size in marts) or "none built"),
        ]
        return "\n".join(lines)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--start", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    parser.add_argument("--end", type=date.fromisoformat, help="last day (YYYY-MM-DD), inclusive")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental dbt models and marts from all of history (after an upgrade "
        "that changes their columns)",
    )
    args = parser.parse_args(argv)
    first, last = landed_range() if not (args.start and args.end) else (args.start, args.end)
    start, end = args.start or first, args.end or last
    command = " ".join(["python -m orchestration.run", *(argv if argv is not None else sys.argv[1:])])
    try:
        with writer_lock(settings().warehouse_path, f"`{command.strip()}`"):
            trimmed = days_to_run(start, end)  # under the lock: it reads the warehouse
            if trimmed is None:
                print(f"Nothing to run: no landed file and nothing loaded between {start} and {end}.")
                return 0
            if trimmed != (start, end):
                print(
                    f"{start} .. {end}: files land or data was loaded only from {trimmed[0]} to {trimmed[1]}."
                )
            start, end = trimmed
            print(f"Running cx_daily for {start} .. {end}")
            ok = run(start, end, args.full_refresh)
            print(summary())
    except WarehouseLockTimeout as error:
        print(f"Not run: {error}", file=sys.stderr)
        return 1
    print("\nRun " + ("succeeded." if ok else "FAILED: see the log above or `make ui`."))
    print(f"Data quality (Great Expectations Data Docs): {data_docs_index()}")
    if ok:
        print(
            f"Published for BI tools: {settings().published_dir / 'marts.duckdb'} and "
            f"{settings().published_dir / 'parquet'}/; run history: `make ui`."
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
