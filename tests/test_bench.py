"""`make bench` at a tiny scale: every stage runs, and the floor's marts equal the pipeline's."""

from __future__ import annotations

import json
from datetime import date

import pytest

from orchestration.bench import STAGES, benchmark, table
from orchestration.lib.quality import DBT_MANIFEST


def dbt_models() -> list[str]:
    manifest = json.loads(DBT_MANIFEST.read_text(encoding="utf-8"))
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


pytestmark = pytest.mark.slow


def test_bench_runs_every_stage_and_the_floor_equals_the_pipeline(tmp_path):
    results = benchmark(tmp_path / "bench", date(2025, 7, 1), days=2, scale=0.1, stages=list(STAGES))

    stages = results["stages"]
    assert set(stages) == set(STAGES)
    assert stages["floor"]["marts_compared"] == 10 and stages["floor"]["marts_equal_pipeline"] is True
    # Every model of the project ran in the floor (staging: one per entity of entities.yml).
    assert stages["floor"]["models"] == len(dbt_models())
    # DuckDB alone reads the exports (no XLSX, malformed lines skipped): not more rows than ingestion.
    assert 0 < stages["floor"]["read_exports_rows"] <= stages["full"]["rows_read"]
    # Every generated row is read by the full run (two days) or the nightly run (the third).
    assert stages["full"]["rows_read"] + stages["nightly"]["rows_read"] == stages["generate"]["raw_rows"]
    assert stages["full"]["ingest_rows_per_s"] > 0
    for name in ("full", "nightly"):
        assert set(stages[name]["stages_s"]) == {"ingest", "validate", "dbt", "publish"}
        assert all(seconds > 0 for seconds in stages[name]["stages_s"].values()), stages[name]
        assert sum(stages[name]["stages_s"].values()) <= stages[name]["wall_s"]
        assert stages[name]["peak_rss_mb"] > 50
    assert set(results["ratios"]) == {
        "full_over_floor",
        "dbt_over_floor",
        "ingest_over_read_exports",
        "full_over_read_exports_plus_floor",
        "validation_share_of_full",
        "nightly_over_full",
    }
    assert json.loads((tmp_path / "bench" / "results.json").read_text()) == results
    assert "floor" in table(results)
