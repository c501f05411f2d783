"""One place that decides the environment (local, ci, production) and the paths it uses.

Every setting is an environment variable with a default that works out of the box on a fresh
clone. The same DUCKDB_DATABASE feeds Dagster and dbt's profiles.yml.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The dbt of this virtual environment, whether or not it is on PATH.
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"


def environment() -> str:
    """`local`, `ci` or `production`: CX_ENV if set, else `ci` when CI=true, else `local`."""
    explicit = os.environ.get("CX_ENV")
    if explicit:
        return explicit
    return "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "local"


def dbt_target() -> str:
    """The dbt target of the environment (DBT_TARGET overrides)."""
    default = {"production": "prod"}.get(environment(), environment())
    return os.environ.get("DBT_TARGET", default)


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    path = Path(value) if value else default
    return path if path.is_absolute() else (PROJECT_ROOT / path)


def warehouse_path() -> Path:
    """The DuckDB warehouse file (DUCKDB_DATABASE, default data/warehouse/cx.duckdb)."""
    return _path("DUCKDB_DATABASE", PROJECT_ROOT / "data" / "warehouse" / "cx.duckdb")


def landing_dir() -> Path:
    """Where exports land (CX_LANDING_DIR, default data/landing)."""
    return _path("CX_LANDING_DIR", PROJECT_ROOT / "data" / "landing")


def partitions_start() -> str:
    """First daily partition (CX_PARTITIONS_START, YYYY-MM-DD)."""
    return os.environ.get("CX_PARTITIONS_START", "2025-07-01")


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for Dagster's connections (DUCKDB_MEMORY_LIMIT, default 3GB; dbt's
    profiles.yml reads the same variable with the same default). Above it DuckDB spills to a temp
    directory beside the database; 3GB keeps each process under 4 GiB resident."""
    return os.environ.get("DUCKDB_MEMORY_LIMIT", "3GB")


# The market: each fact is set once, here, from the environment; dbt reads the same variables
# with the same defaults (dbt_project.yml `vars`, checked by tests/test_config.py).
MARKET_DEFAULTS = {
    "CX_BUSINESS_TIMEZONE": "Asia/Ho_Chi_Minh",
    "CX_REPORTING_CURRENCY": "VND",
    "CX_PHONE_COUNTRY_CODE": "84",
}


def business_timezone() -> str:
    """Time zone of the business days: daily partitions, the schedule and the marts' periods."""
    return os.environ.get("CX_BUSINESS_TIMEZONE") or MARKET_DEFAULTS["CX_BUSINESS_TIMEZONE"]


def source_timezone() -> str:
    """Zone of the exports' local timestamps (those without an offset), unless a source says
    otherwise (`timezone` in sources.yml): CX_SOURCE_TIMEZONE, default the business time zone."""
    return os.environ.get("CX_SOURCE_TIMEZONE") or business_timezone()


def reporting_currency() -> str:
    """ISO 4217 code of the currency the marts report money in (CX_REPORTING_CURRENCY)."""
    return os.environ.get("CX_REPORTING_CURRENCY") or MARKET_DEFAULTS["CX_REPORTING_CURRENCY"]


def phone_country_code() -> str:
    """Country calling code that phone numbers are normalised with (CX_PHONE_COUNTRY_CODE)."""
    return os.environ.get("CX_PHONE_COUNTRY_CODE") or MARKET_DEFAULTS["CX_PHONE_COUNTRY_CODE"]


BUSINESS_TIMEZONE = business_timezone()


def published_dir() -> Path:
    """Where readers find the published marts (CX_PUBLISHED_DIR, default data/published)."""
    return _path("CX_PUBLISHED_DIR", PROJECT_ROOT / "data" / "published")


def quality_dir() -> Path:
    """Great Expectations' project: validation results and Data Docs (CX_QUALITY_DIR, default
    data/quality). Data Docs: <quality_dir>/gx/uncommitted/data_docs/local_site/index.html."""
    return _path("CX_QUALITY_DIR", PROJECT_ROOT / "data" / "quality")


def spark_dir() -> Path:
    """The local Spark target's metastore, warehouse and raw Parquet (CX_SPARK_DIR, default .spark)."""
    return _path("CX_SPARK_DIR", PROJECT_ROOT / ".spark")
