"""Benchmark: the pipeline against the raw DuckDB floor, on generated data (`make bench`).

    python -m orchestration.bench --days 30 --scale 1 --out data/bench
    python -m orchestration.bench --days 730 --scale 25 --stages full,floor,nightly   # reuse the data
    python -m orchestration.bench --days 60 --scale 2 --start 2024-01-01 --seed 8 --stages generate,full

Stages, each run in a child process so that its wall time, CPU time (user + system) and peak
memory (max RSS) are its own:

- generate  the sample generator writes days + 1 days of exports (the last day is the nightly's),
            from `start`, with the generator's `seed`;
- full      the cx_daily job over the first `days` days, as `make backfill` runs it: ingestion,
            validation (the quality checks), dbt build, publishing, each timed from Dagster's
            step events;
- floor     the same marts computed by plain SQL straight from the raw tables: every dbt model's
            compiled SQL (full refresh) executed in dependency order in DuckDB, on a copy of the
            warehouse as the full run left it: no Dagster, no dbt, no tests, no validation. The
            KPIs stay defined once (in dbt); the floor measures what orchestration, validation
            and modelling add. Its marts must equal the pipeline's. It also times DuckDB alone
            reading the exports into tables (read_exports), the yardstick for ingestion;
- nightly   the job for the one new day on top of the full history (what the schedule runs).

Results go to <out>/results.json and a table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT, settings

STAGES = ("generate", "full", "floor", "nightly")


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(args: list[str], environment: dict[str, str]) -> dict:
    """Run `python -m orchestration.bench <args>` and measure it; return its JSON output + usage."""
    cpu_before = child_cpu()
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.bench", *args],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"stage {args[0]} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    output = json.loads(completed.stdout.strip().splitlines()[-1])
    # The stage reports its own peak memory (ru_maxrss of children here is the largest so far).
    return {**output, "wall_s": round(wall, 2), "cpu_s": round(child_cpu() - cpu_before, 2)}


# --- child commands ---------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak memory of this process or any process it waited for (dbt runs as a subprocess)."""
    peaks = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return round(max(peaks) / 1024, 1)


def cmd_generate(out: Path, start: date, days: int, scale: float, seed: int) -> dict:
    from orchestration.samples import generate

    manifest = generate(out, start, days, scale, seed)
    # Every data line a reader meets: parsed rows and the malformed lines among them.
    rows = sum(e["rows"] + e["dirt"]["malformed_lines"] for e in manifest["sources"].values())
    return {"raw_rows": rows, "bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file())}


STEP_KINDS = (
    ("validate", lambda step: step.endswith("_quality")),
    ("ingest", lambda step: step.startswith("raw__")),
    ("dbt", lambda step: step == "cx_dbt_models"),
    ("publish", lambda step: step == "published__marts"),
)


def cmd_job(start: date, end: date) -> dict:
    """Run cx_daily for start..end in this process; time each kind of step from the events."""
    import dagster as dg

    from orchestration.definitions import defs

    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("cx_daily").execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": start.isoformat(),
                "dagster/asset_partition_range_end": end.isoformat(),
            },
            raise_on_error=False,
        )
        if not result.success:
            failed = [e.message for e in result.all_events if e.is_failure]
            # and which blocking checks failed, on what (the log above is cut to its tail)
            failed += [
                f"{e.asset_key.to_user_string()}: {e.metadata['failed_expectations'].value}"
                for e in result.get_asset_check_evaluations()
                if e.severity == dg.AssetCheckSeverity.ERROR and not e.passed
            ]
            raise SystemExit(f"run failed: {failed}")
        started: dict[str, float] = {}
        stages = dict.fromkeys([kind for kind, _ in STEP_KINDS], 0.0)
        for record in instance.all_logs(result.run_id):
            event = record.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type_value == "STEP_START":
                started[event.step_key] = record.timestamp
            elif event.event_type_value == "STEP_SUCCESS":
                kind = next(k for k, matches in STEP_KINDS if matches(event.step_key))
                stages[kind] += record.timestamp - started[event.step_key]
    con = duckdb.connect(str(settings().warehouse_path), read_only=True)
    try:
        (rows,) = con.execute(
            "select coalesce(sum(rows_read), 0) from meta.ingested_files "
            "where partition_date between ? and ?",
            [start, end],
        ).fetchone()
    finally:
        con.close()
    return {
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "rows_read": int(rows),
        "peak_rss_mb": peak_rss_mb(),
    }


def compiled_models(target_path: Path, start: date, end: date) -> list[tuple[str, str, str]]:
    """(relation, materialization, compiled SQL) of every model, in dependency order."""
    subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "compile",
            "--full-refresh",
            "--quiet",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target_path),
            "--vars",
            json.dumps({"window_start": start.isoformat()}),
        ],
        check=True,
    )
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    ordered, seen = [], set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in models:
            return
        seen.add(uid)
        for parent in models[uid]["depends_on"]["nodes"]:
            visit(parent)
        ordered.append(models[uid])

    for uid in sorted(models):
        visit(uid)
    return [(n["relation_name"], n["config"]["materialized"], n["compiled_code"]) for n in ordered]


def read_exports(landing: Path, start: date, end: date, work: Path) -> dict:
    """What DuckDB alone costs to read the run's exports into tables: per source one read_csv /
    read_json over its files with types detected, errors skipped (no lineage, no checks, no
    quarantine). The yardstick for ingestion's rows per second. XLSX is left out."""
    from orchestration.lib.config import load_sources
    from orchestration.lib.ingest import landed_files, literal, quote

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    database = work / "floor" / "exports.duckdb"
    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database), config={"memory_limit": settings().duckdb_memory_limit})
    rows, seconds = 0, 0.0
    try:
        for source in load_sources():
            files = [str(path) for day in days for path in landed_files(landing, source, day)]
            files = [f for f in files if Path(f).stat().st_size]
            if source.format == "xlsx" or not files:
                continue
            listed = "[" + ", ".join(literal(f) for f in files) + "]"
            if source.format == "ndjson":
                reader = f"read_json({listed}, format = 'newline_delimited', ignore_errors = true)"
            else:
                reader = (
                    f"read_csv({listed}, header = true, skip = {source.skip_rows}, "
                    f"delim = {literal(source.delimiter)}, ignore_errors = true)"
                )
            started = time.perf_counter()
            con.execute(f"create table {quote(source.name)} as select * from {reader}")
            seconds += time.perf_counter() - started
            rows += con.execute(f"select count(*) from {quote(source.name)}").fetchone()[0]
    finally:
        con.close()
        database.unlink(missing_ok=True)
    return {
        "read_exports_s": round(seconds, 2),
        "read_exports_rows": rows,
        "read_exports_rows_per_s": round(rows / max(seconds, 1e-9)),
    }


def cmd_floor(warehouse: Path, start: date, end: date, work: Path) -> dict:
    """Recompute every model from raw with plain SQL on a copy of the warehouse; time the SQL only.
    Also time reading the exports with DuckDB alone (read_exports)."""
    exports = read_exports(settings().landing_dir, start, end, work)
    models = compiled_models(work / "dbt_target", start, end)
    floor_db = work / "floor" / warehouse.name  # the same file name: the same catalog in the SQL
    floor_db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(warehouse, floor_db)
    con = duckdb.connect(str(floor_db), config={"memory_limit": settings().duckdb_memory_limit})
    try:
        for schema in ("staging", "intermediate", "marts"):
            con.execute(f"drop schema if exists {schema} cascade")
            con.execute(f"create schema {schema}")
        con.execute("set variable cx_pseudonym_salt = $salt", {"salt": _salt()})
        started = time.perf_counter()
        for relation, materialized, sql in models:
            kind = "view" if materialized == "view" else "table"
            con.execute(f"create {kind} {relation} as {sql}")
        seconds = time.perf_counter() - started
    finally:
        con.close()
    return {"sql_s": round(seconds, 2), "models": len(models), **exports, "peak_rss_mb": peak_rss_mb()}


def _salt() -> str:
    from orchestration.lib.dbt_secrets import salt

    return salt()


def mart_digests(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            t: con.execute(
                f"select md5(string_agg(cast(m as varchar), '|' order by cast(m as varchar))) "
                f"from marts.{t} as m"
            ).fetchone()[0]
            for t in tables
        }
    finally:
        con.close()


# --- the benchmark ----------------------------------------------------------------------------


def benchmark(out: Path, start: date, days: int, scale: float, stages: list[str], seed: int = 42) -> dict:
    out = out.resolve()
    landing, warehouse = out / "landing", out / "warehouse" / "cx.duckdb"
    environment = {
        "CX_LANDING_DIR": str(landing),
        "DUCKDB_DATABASE": str(warehouse),
        "CX_PUBLISHED_DIR": str(out / "published"),
        "CX_QUALITY_DIR": str(out / "quality"),
        "CX_PARTITIONS_START": start.isoformat(),
    }
    end, nightly = start + timedelta(days=days - 1), start + timedelta(days=days)
    results: dict = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "memory_gb": _memory_gb()},
        "arguments": {"start": start.isoformat(), "days": days, "scale": scale, "seed": seed},
        "stages": {},
    }
    if "generate" in stages:
        shutil.rmtree(out, ignore_errors=True)
        results["stages"]["generate"] = run_child(
            ["generate", str(landing), start.isoformat(), str(days + 1), str(scale), str(seed)], environment
        )
    if "full" in stages:
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        warehouse.parent.mkdir(parents=True)
        results["stages"]["full"] = run_child(["job", start.isoformat(), end.isoformat()], environment)
        full = results["stages"]["full"]
        full["ingest_rows_per_s"] = round(full["rows_read"] / max(full["stages_s"]["ingest"], 1e-9))
    if "floor" in stages:
        floor = run_child(
            ["floor", str(warehouse), start.isoformat(), end.isoformat(), str(out)], environment
        )
        pipeline_marts = mart_digests(warehouse)
        floor["marts_compared"] = len(pipeline_marts)
        floor["marts_equal_pipeline"] = mart_digests(out / "floor" / warehouse.name) == pipeline_marts
        results["stages"]["floor"] = floor
    if "nightly" in stages:
        results["stages"]["nightly"] = run_child(
            ["job", nightly.isoformat(), nightly.isoformat()], environment
        )
    results["ratios"] = ratios(results["stages"])
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def ratios(stages: dict) -> dict:
    full, floor, nightly = stages.get("full"), stages.get("floor"), stages.get("nightly")
    found = {}
    if full and floor:
        found["full_over_floor"] = round(full["wall_s"] / floor["sql_s"], 2)
        found["dbt_over_floor"] = round(full["stages_s"]["dbt"] / floor["sql_s"], 2)
        found["ingest_over_read_exports"] = round(full["stages_s"]["ingest"] / floor["read_exports_s"], 2)
        found["full_over_read_exports_plus_floor"] = round(
            full["wall_s"] / (floor["read_exports_s"] + floor["sql_s"]), 2
        )
    if full:
        found["validation_share_of_full"] = round(full["stages_s"]["validate"] / full["wall_s"], 3)
    if full and nightly:
        found["nightly_over_full"] = round(nightly["wall_s"] / full["wall_s"], 3)
    return found


def _memory_gb() -> float:
    return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)


def table(results: dict) -> str:
    lines = [f"{'stage':<10}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}  detail"]
    for name, stage in results["stages"].items():
        detail = {k: v for k, v in stage.items() if k not in ("wall_s", "cpu_s", "peak_rss_mb")}
        lines.append(
            f"{name:<10}{stage['wall_s']:>9}{stage['cpu_s']:>9}{stage.get('peak_rss_mb', ''):>9}  "
            + json.dumps(detail)
        )
    lines.append("ratios: " + json.dumps(results["ratios"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["generate"]:
        out, start, days, scale, seed = argv[1:6]
        result = cmd_generate(Path(out), date.fromisoformat(start), int(days), float(scale), int(seed))
        print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))
        return 0
    if argv[:1] == ["job"]:
        print(json.dumps(cmd_job(date.fromisoformat(argv[1]), date.fromisoformat(argv[2]))))
        return 0
    if argv[:1] == ["floor"]:
        warehouse, start, end, work = argv[1:5]
        print(
            json.dumps(
                cmd_floor(Path(warehouse), date.fromisoformat(start), date.fromisoformat(end), Path(work))
            )
        )
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "data" / "bench")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42, help="the sample generator's seed")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated, of {', '.join(STAGES)}")
    args = parser.parse_args(argv)
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s): {sorted(unknown)}")
    results = benchmark(args.out, args.start, args.days, args.scale, stages, args.seed)
    print(table(results))
    print(f"\nwritten: {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
