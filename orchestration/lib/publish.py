"""Publish the marts for readers: a read-only DuckDB file and one Parquet file per mart.

Readers (BI tools, the dashboard) never open the warehouse the pipeline writes. They read
`data/published/`, which changes only by atomic renames:

    data/published/marts.duckdb          replaced with os.replace() (old readers keep the old file)
    data/published/parquet -> versions/<stamp>   a symlink swapped with os.replace()

The published file keeps the marts in its `main` schema: a reader that opens marts.duckdb
queries `select * from customer_service_kpis` (or `marts.customer_service_kpis`, the file's
catalog name). A reader sees either the previous complete version or the new complete version, never a
half-written one, and a run killed while publishing leaves the previous version in place.
The DuckDB file is written in storage format v1.0.0, which DuckDB 1.0 and newer can open (many
BI drivers bundle an older DuckDB than the pipeline's).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

STORAGE_VERSION = "v1.0.0"
KEEP_VERSIONS = 2


def publish_marts(warehouse: Path, published_dir: Path, schema: str = "marts") -> dict:
    """Copy every table of `schema` to the published DuckDB file and Parquet files, atomically."""
    published_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    versions = published_dir / "versions"
    version_dir = versions / stamp
    version_dir.mkdir(parents=True)
    new_db = published_dir / f".marts-{stamp}.duckdb"

    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'warehouse' and schema_name = ? order by table_name",
                [schema],
            ).fetchall()
        ]
        con.execute(f"attach '{new_db}' as published (storage_version '{STORAGE_VERSION}')")
        row_counts = {}
        for table in tables:
            source = f'warehouse.{schema}."{table}"'
            con.execute(f'create table published.main."{table}" as select * from {source}')
            con.execute(f"copy {source} to '{version_dir / (table + '.parquet')}' (format parquet)")
            row_counts[table] = con.execute(f"select count(*) from {source}").fetchone()[0]
        con.execute("detach published")
        con.execute("detach warehouse")
    except BaseException:
        con.close()
        new_db.unlink(missing_ok=True)
        shutil.rmtree(version_dir, ignore_errors=True)
        raise
    con.close()

    # Two atomic renames: the DuckDB file, then the Parquet symlink.
    os.replace(new_db, published_dir / "marts.duckdb")
    link_tmp = published_dir / f".parquet-{stamp}"
    link_tmp.symlink_to(Path("versions") / stamp, target_is_directory=True)
    os.replace(link_tmp, published_dir / "parquet")
    _prune(versions, keep=KEEP_VERSIONS)
    return {"version": stamp, "tables": row_counts, "storage_version": STORAGE_VERSION}


def _prune(versions: Path, keep: int) -> None:
    """Keep the current Parquet version and the `keep - 1` before it (a reader that resolved the
    link a moment ago still finds its files); remove leftovers of runs killed mid-publish."""
    current = (versions.parent / "parquet").resolve().name
    older = sorted(p.name for p in versions.iterdir() if p.is_dir() and p.name < current)
    wanted = {current, *older[len(older) - (keep - 1) :]} if keep > 1 else {current}
    for path in versions.iterdir():
        if path.is_dir() and path.name not in wanted:
            shutil.rmtree(path, ignore_errors=True)
    for leftover in [*versions.parent.glob(".marts-*"), *versions.parent.glob(".parquet-*")]:
        leftover.unlink(missing_ok=True)
