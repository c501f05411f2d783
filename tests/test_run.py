"""The command-line run (`make run`, `make backfill`): which days a backfill runs."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration import run


def test_a_backfill_skips_the_days_at_either_end_with_nothing_to_do(tmp_path, monkeypatch):
    landing, warehouse = tmp_path / "landing", tmp_path / "cx.duckdb"
    monkeypatch.setenv("CX_LANDING_DIR", str(landing))
    monkeypatch.setenv("DUCKDB_DATABASE", str(warehouse))
    for day in ("2025-07-03", "2025-07-20"):
        path = landing / "sales" / "web" / f"web_orders_{day}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Name\n", encoding="utf-8")
    # Nothing in the warehouse yet: from the first to the last landed file (the gap stays).
    assert run.days_to_run(date(2024, 1, 1), date(2026, 12, 31)) == (date(2025, 7, 3), date(2025, 7, 20))
    assert run.days_to_run(date(2025, 7, 4), date(2025, 7, 31)) == (date(2025, 7, 20), date(2025, 7, 20))
    assert run.days_to_run(date(2025, 8, 1), date(2025, 8, 31)) is None
    # A day loaded before whose file is gone is run again (its partition is emptied).
    con = duckdb.connect(str(warehouse))
    con.execute("create schema meta")
    con.execute("create table meta.ingested_files (partition_date date)")
    con.execute("insert into meta.ingested_files values ('2025-08-02')")
    con.close()
    assert run.days_to_run(date(2025, 8, 1), date(2025, 8, 31)) == (date(2025, 8, 2), date(2025, 8, 2))
    assert run.days_to_run(date(2025, 7, 1), date(2025, 8, 31)) == (date(2025, 7, 3), date(2025, 8, 2))


def test_a_backfill_runs_its_whole_range_while_the_warehouse_is_locked(tmp_path, monkeypatch):
    """A dbt left behind by a killed run may still hold the DuckDB file: the days loaded cannot be
    read, so nothing is skipped (the run's own connections wait for the file, with retries)."""
    monkeypatch.setenv("CX_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("DUCKDB_DATABASE", str(tmp_path / "cx.duckdb"))
    monkeypatch.setattr(run, "loaded_days", lambda: None)
    assert run.days_to_run(date(2025, 7, 1), date(2025, 7, 31)) == (date(2025, 7, 1), date(2025, 7, 31))
