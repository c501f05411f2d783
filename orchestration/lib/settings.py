"""Every setting of the project, in one place: an environment variable with a default that works
out of the box on a fresh clone, read into one typed `Settings` object.

`settings()` reads the environment and returns the object. It is built once per distinct
environment (tests and the command line change variables between calls), so reading it is cheap.
Where dbt reads the same variable (profiles.yml, dbt_project.yml `vars`), it has the same default:
tests/test_config.py compares them, and README's configuration table is checked against
`SETTINGS` too.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The dbt of this virtual environment, whether or not it is on PATH.
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"


@dataclass(frozen=True)
class Setting:
    field: str  # the attribute of Settings
    variable: str  # the environment variable
    default: str  # as written in the environment; "" when derived from another setting
    description: str


SETTINGS = (
    Setting("warehouse_path", "DUCKDB_DATABASE", "data/warehouse/cx.duckdb",
            "the warehouse file, read by Dagster and dbt (profiles.yml)"),
    Setting("duckdb_memory_limit", "DUCKDB_MEMORY_LIMIT", "3GB",
            "DuckDB's memory limit in Dagster's connections and dbt; above it DuckDB spills to a "
            "temp directory beside the database (3GB keeps a process under 4 GiB resident)"),
    Setting("landing_dir", "CX_LANDING_DIR", "data/landing", "where exports land"),
    Setting("published_dir", "CX_PUBLISHED_DIR", "data/published",
            "where the read-only copy of the marts is published"),
    Setting("partitions_start", "CX_PARTITIONS_START", "2025-07-01", "first daily partition"),
    Setting("business_timezone", "CX_BUSINESS_TIMEZONE", "Asia/Ho_Chi_Minh",
            "the business days: daily partitions, the schedule and the marts' periods"),
    Setting("source_timezone", "CX_SOURCE_TIMEZONE", "",
            "zone of the exports' local timestamps (those without an offset), unless a source gives "
            "its own; default the business time zone"),
    Setting("reporting_currency", "CX_REPORTING_CURRENCY", "VND",
            "ISO 4217 code of the currency the marts report money in"),
    Setting("phone_country_code", "CX_PHONE_COUNTRY_CODE", "84",
            "country calling code that phone numbers are normalised with"),
    Setting("nightly_cron", "CX_NIGHTLY_CRON", "0 2 * * *",
            "when the nightly run starts, in the business time zone"),
    Setting("marts_stale_after_hours", "CX_MARTS_STALE_AFTER_HOURS", "26",
            "a mart not rebuilt for this long is stale (freshness policy)"),
    Setting("pseudonym_salt", "CX_PSEUDONYM_SALT", "cx-warehouse",
            "salt of the pseudonymous customer keys (a development default: set it in production)"),
    Setting("environment", "CX_ENV", "",
            "local, ci or production; default ci when CI=true, else local"),
    Setting("dbt_target", "DBT_TARGET", "", "the dbt target; default the environment (prod in production)"),
    Setting("quality_dir", "CX_QUALITY_DIR", "data/quality",
            "Great Expectations' validation results and Data Docs"),
    Setting("quality_keep_results", "CX_QUALITY_KEEP_RESULTS", "30",
            "validation results (and Data Docs pages) kept per suite"),
    Setting("quality_chunk_rows", "CX_QUALITY_CHUNK_ROWS", "1000000",
            "a raw table is validated in chunks of whole partitions of at most this many rows"),
    Setting("ingest_batch_bytes", "CX_INGEST_BATCH_BYTES", "268435456",
            "ingestion reads a run's files in batches of about this many bytes (one transaction)"),
    Setting("warehouse_lock_timeout", "CX_WAREHOUSE_LOCK_TIMEOUT", "3600",
            "seconds a run waits for the warehouse's writer lock, then gives up"),
    Setting("spark_dir", "CX_SPARK_DIR", ".spark",
            "the local Spark target's metastore, warehouse and raw Parquet"),
)  # fmt: skip
DEFAULTS = {setting.variable: setting.default for setting in SETTINGS}


@dataclass(frozen=True)
class Settings:
    warehouse_path: Path
    duckdb_memory_limit: str
    landing_dir: Path
    published_dir: Path
    partitions_start: str
    business_timezone: str
    source_timezone: str
    reporting_currency: str
    phone_country_code: str
    nightly_cron: str
    marts_stale_after_hours: float
    pseudonym_salt: str
    environment: str
    dbt_target: str
    quality_dir: Path
    quality_keep_results: int
    quality_chunk_rows: int
    ingest_batch_bytes: int
    warehouse_lock_timeout: float
    spark_dir: Path


def _read(values: dict[str, str | None], ci: str) -> Settings:
    """Settings from the variables' values (None or "" when unset)."""
    raw = {s.field: values[s.variable] or s.default for s in SETTINGS}
    raw["source_timezone"] = raw["source_timezone"] or raw["business_timezone"]
    if not raw["environment"]:
        raw["environment"] = "ci" if ci.lower() in ("1", "true", "yes") else "local"
    environment = raw["environment"]
    raw["dbt_target"] = raw["dbt_target"] or {"production": "prod"}.get(environment, environment)
    typed = {}
    for field in fields(Settings):
        value = raw[field.name]
        if field.type == "Path":
            typed[field.name] = Path(value) if Path(value).is_absolute() else PROJECT_ROOT / value
        elif field.type in ("int", "float"):
            try:
                typed[field.name] = (int if field.type == "int" else float)(value)
            except ValueError:
                variable = next(s.variable for s in SETTINGS if s.field == field.name)
                raise ValueError(f"{variable}={value!r} is not a number") from None
        else:
            typed[field.name] = value
    return Settings(**typed)


@functools.lru_cache(maxsize=8)
def _cached(values: tuple[str | None, ...], ci: str) -> Settings:
    return _read(dict(zip((s.variable for s in SETTINGS), values, strict=True)), ci)


def settings() -> Settings:
    """The settings of the current environment."""
    return _cached(tuple(os.environ.get(s.variable) for s in SETTINGS), os.environ.get("CI", ""))
