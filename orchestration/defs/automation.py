"""The nightly schedule and the landing-folder sensor (freshness: see dbt/assets.py)."""

import hashlib
from datetime import timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.defs.jobs import all_assets_job
from orchestration.lib.config import load_sources
from orchestration.lib.landing import new_files_by_partition
from orchestration.lib.settings import settings


@dg.schedule(
    job=all_assets_job,
    cron_schedule=settings().nightly_cron,
    execution_timezone=settings().business_timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night: ingest yesterday's exports (business time zone) and rebuild the marts; "
    "dbt re-processes the lookback window (var lookback_days) for late updates.",
)
def nightly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    local_time = context.scheduled_execution_time.astimezone(ZoneInfo(settings().business_timezone))
    day = (local_time.date() - timedelta(days=1)).isoformat()
    return dg.RunRequest(run_key=f"nightly-{day}", partition_key=day, tags={"trigger": "nightly"})


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts ingestion for export files that land during the day, once per new file.",
    asset_selection=dg.AssetSelection.key_prefixes(["raw"]),
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    todo, cursor = new_files_by_partition(settings().landing_dir, load_sources(), context.cursor)
    if context.cursor is None:
        # First evaluation: what is already there is the baseline (loaded by `make run`, a
        # backfill or the nightly run); only files that land from now on start a run.
        return dg.SensorResult(skip_reason="baseline of landed files recorded", cursor=cursor)
    run_key_suffix = hashlib.sha256(cursor.encode()).hexdigest()[:12]
    requests = [
        dg.RunRequest(
            run_key=f"landing-{partition.isoformat()}-{run_key_suffix}",
            partition_key=partition.isoformat(),
            asset_selection=[dg.AssetKey(["raw", name]) for name in sorted(sources)],
            tags={"trigger": "landing_sensor"},
        )
        for partition, sources in sorted(todo.items())
    ]
    return dg.SensorResult(run_requests=requests, cursor=cursor)
