"""The dbt project on Apache Spark, locally: the raw data Spark reads and the session it runs in.

DuckDB is the default engine; the dbt target `spark` builds the same models on Spark (README,
"Running on Spark"). Locally and in CI dbt-spark runs Spark inside its own process (method
`session`, local pyspark), with the metastore and the warehouse files in CX_SPARK_DIR (default
.spark/, ignored by git). The models read the tables that ingestion wrote into DuckDB:

    python -m orchestration.lib.spark load-raw      # DUCKDB_DATABASE's raw data -> Spark
    cd dbt_project && ../.venv/bin/dbt build --profiles-dir . --target spark
    python -m orchestration.lib.spark export --out /tmp/marts marts.sales_kpis   # -> Parquet
    python -m orchestration.lib.spark export-raw --out /tmp/raw   # Parquet only, for a cluster

`load-raw` writes every table of schema `raw` and `meta.ingested_files`
to Parquet under <CX_SPARK_DIR>/raw/<schema>/<table>/ and registers each as the table of the same
name in Spark's metastore, which is where the dbt sources point. The session settings (metastore, warehouse
folder, time zone, the pseudonym salt) are read from the `spark` target of profiles.yml, so a
session opened here (`session()`) sees what dbt built.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import duckdb
import jinja2
import yaml

from orchestration.lib.settings import DBT_PROJECT_DIR, settings

PROFILE_TARGET = "spark"


def session_conf() -> dict[str, str]:
    """The session settings of the profile's `spark` target, with CX_SPARK_DIR made absolute."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["cx_warehouse"]["outputs"][PROFILE_TARGET]["server_side_parameters"]
    variables = {**os.environ, "CX_SPARK_DIR": str(settings().spark_dir)}

    def env_var(name: str, default: str | None = None) -> str:
        if name not in variables and default is None:
            raise KeyError(f"environment variable {name} is not set")
        return variables.get(name, default)

    render = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {
        str(key): render.from_string(str(value)).render(env_var=env_var) for key, value in parameters.items()
    }


def session():
    """A local SparkSession on the same metastore and warehouse as dbt's `spark` target."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_conf().items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of what the dbt sources read: every raw table and meta.ingested_files."""
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' "
        "and (table_schema = 'raw' "
        "or (table_schema = 'meta' and table_name = 'ingested_files')) "
        "order by 1, 2"
    ).fetchall()


def export_raw(warehouse: Path, out: Path) -> list[tuple[str, str]]:
    """Write the raw tables of the DuckDB `warehouse` to <out>/<schema>/<table>/data.parquet.

    DuckDB keeps UTC timestamps without a zone; they are written as instants (Parquet
    isAdjustedToUTC), which Spark reads as its TIMESTAMP type with the same UTC values."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        tables = raw_tables(con)
        for schema, table in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            select = ", ".join(
                f'cast("{name}" as timestamptz) as "{name}"' if data_type == "TIMESTAMP" else f'"{name}"'
                for name, data_type in columns
            )
            folder = out / schema / table
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            con.execute(
                f'copy (select {select} from "{schema}"."{table}") to \'{folder / "data.parquet"}\' '
                "(format parquet)"
            )
        return tables
    finally:
        con.close()


def register_raw(spark, raw_dir: Path, tables: list[tuple[str, str]]) -> None:
    """Make each exported table the Spark table <schema>.<table> (external, over the Parquet)."""
    for schema in sorted({schema for schema, _ in tables}):
        spark.sql(f"create schema if not exists `{schema}`")
    for schema, table in tables:
        # Dropped and created again so the table has the columns of this export.
        spark.sql(f"drop table if exists `{schema}`.`{table}`")
        location = (raw_dir / schema / table).resolve().as_uri()
        spark.sql(f"create table `{schema}`.`{table}` using parquet location '{location}'")


def load_raw(warehouse: Path) -> list[tuple[str, str]]:
    """Export the DuckDB warehouse's raw data and register it in the local Spark metastore."""
    raw_dir = settings().spark_dir / "raw"
    tables = export_raw(warehouse, raw_dir)
    spark = session()
    try:
        register_raw(spark, raw_dir, tables)
    finally:
        spark.stop()
    return tables


def export_tables(tables: list[str], out: Path) -> None:
    """Write Spark tables (schema.table) to <out>/<schema.table>/ as Parquet, read through Spark."""
    spark = session()
    try:
        for table in tables:
            spark.table(table).coalesce(1).write.mode("overwrite").parquet(str(out / table))
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load-raw", help="export DuckDB's raw data and register it in Spark")
    load.add_argument("--warehouse", type=Path, default=None, help="DuckDB file (default DUCKDB_DATABASE)")
    raw = commands.add_parser("export-raw", help="only write DuckDB's raw data to Parquet (for a cluster)")
    raw.add_argument("--warehouse", type=Path, default=None, help="DuckDB file (default DUCKDB_DATABASE)")
    raw.add_argument("--out", type=Path, required=True, help="folder: <out>/<schema>/<table>/data.parquet")
    export = commands.add_parser("export", help="write Spark tables to Parquet")
    export.add_argument("--out", type=Path, required=True, help="folder: one Parquet folder per table")
    export.add_argument("tables", nargs="+", help="schema.table")
    args = parser.parse_args(argv)
    if args.command == "load-raw":
        warehouse = args.warehouse or settings().warehouse_path
        tables = load_raw(warehouse)
        print(f"Registered {len(tables)} tables from {warehouse} in Spark ({settings().spark_dir}):")
        print(", ".join(f"{schema}.{table}" for schema, table in tables))
    elif args.command == "export-raw":
        tables = export_raw(args.warehouse or settings().warehouse_path, args.out)
        print(f"Wrote {len(tables)} tables to {args.out}")
    else:
        export_tables(args.tables, args.out)
        print(f"Wrote {len(args.tables)} tables to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
