"""Great Expectations suites: committed suites are current, rules fail for the right reason, and a
blocking failure stops downstream assets."""

from __future__ import annotations

import json
from datetime import date

import dagster as dg
import pytest

from orchestration.lib.config import load_sources
from orchestration.lib.ingest import load_partition
from orchestration.lib.quality import (
    SUITES_DIR,
    build_mart_suite_dict,
    build_suite_dict,
    load_rules,
    mart_models,
    quarantine_failures,
    validate,
    volume_failures,
)

SOURCES = {source.name: source for source in load_sources()}
HEADER = "Call ID,Caller,Queue,Start Time,Answer Time,End Time,Status,Agent,Wait (s),Talk (s),Ticket ID\n"
GOOD = (
    "C1,0912345678,CSKH,01/07/2025 09:00:00,01/07/2025 09:00:15,01/07/2025 09:05:00,ANSWERED,AG01,15,285,\n"
)
# Answered before it was queued: parses fine, breaks the timestamp-order rule of rules.yml.
BAD = "C2,0912345678,CSKH,01/07/2025 10:00:00,01/07/2025 09:59:00,01/07/2025 10:05:00,ANSWERED,AG01,0,300,\n"


def test_committed_suites_are_up_to_date():
    rules = load_rules()
    suites = [build_suite_dict(source, rules) for source in SOURCES.values()]
    suites += [build_mart_suite_dict(model, rules) for model in mart_models()]
    assert len(suites) == len(SOURCES) + 10
    for suite in suites:
        committed = json.loads((SUITES_DIR / f"{suite['name']}.json").read_text(encoding="utf-8"))
        assert committed == suite, (
            f"expectations/suites/{suite['name']}.json is stale: "
            "run `make manifest` (python -m orchestration.lib.generate)"
        )


def test_a_mart_bound_real_data_can_cross_is_a_warning():
    """A column of warning_ranges keeps not-negative as an error and gets its range as a warning;
    every other ratio's range is an error."""
    model = {
        "name": "marketing_kpis",
        "key": [],
        "columns": {
            name: {"name": name, "data_type": "double", "meta": {"unit": "ratio"}}
            for name in ("ctr", "other_rate")
        },
    }
    rules = {"_marts": {"unit_ranges": {"ratio": [0, 1]}, "warning_ranges": {"marketing_kpis.ctr": [0, 1]}}}
    ranges = [
        (e["kwargs"]["column"], e["kwargs"]["min_value"], e["kwargs"]["max_value"], e["meta"]["severity"])
        for e in build_mart_suite_dict(model, rules)["expectations"]
        if e["type"] == "expect_column_values_to_be_between"
    ]
    assert ranges == [("ctr", 0, None, "error"), ("ctr", 0, 1, "warning"), ("other_rate", 0, 1, "error")]


def load_calls(con, tmp_path, rows: str, day: date = date(2025, 7, 1)):
    landing = tmp_path / "landing"
    path = landing / "support" / "callcenter" / f"call_records_{day.isoformat()}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + rows, encoding="utf-8")
    load_partition(con, SOURCES["call_records"], landing, day)
    return landing


def test_clean_partition_passes(con, tmp_path):
    load_calls(con, tmp_path, GOOD)
    assert validate(con, SOURCES["call_records"], [date(2025, 7, 1)]) == []


def test_timestamps_out_of_order_are_quarantined_and_reported(con, tmp_path):
    load_calls(con, tmp_path, GOOD + BAD)
    assert validate(con, SOURCES["call_records"], [date(2025, 7, 1)]) == []  # raw holds only GOOD
    (failure,) = quarantine_failures(con, SOURCES["call_records"], [date(2025, 7, 1)], 0.05, 10)
    assert (failure.expectation, failure.column, failure.severity, failure.unexpected_count) == (
        "quarantine: out_of_order",
        "answered_at",
        "warning",
        1,
    )
    assert failure.sample_values == [
        "answered_at 2025-07-01 02:59:00 is before queued_at 2025-07-01 03:00:00 "
        "(support/callcenter/call_records_2025-07-01.csv:3)"
    ]


def test_out_of_order_row_that_reached_raw_fails_the_suite(con, tmp_path):
    load_calls(con, tmp_path, GOOD)
    con.execute("update raw.call_records set answered_at = queued_at - interval 1 minute")
    (failure,) = validate(con, SOURCES["call_records"], [date(2025, 7, 1)])
    assert failure.expectation == "expect_column_pair_values_a_to_be_greater_than_b"
    assert failure.severity == "error" and failure.unexpected_count == 1
    assert '"column_A": "answered_at"' in failure.detail and '"column_B": "queued_at"' in failure.detail


def test_duplicate_row_in_one_export_is_quarantined_and_reported(con, tmp_path):
    load_calls(con, tmp_path, GOOD + GOOD)
    assert con.execute("select count(*) from raw.call_records").fetchone()[0] == 1
    assert validate(con, SOURCES["call_records"], [date(2025, 7, 1)]) == []
    (failure,) = quarantine_failures(con, SOURCES["call_records"], [date(2025, 7, 1)], 0.05, 10)
    assert (failure.expectation, failure.column, failure.severity) == (
        "quarantine: duplicate_row",
        None,
        "warning",
    )
    assert failure.sample_values == ["identical to line 2 (support/callcenter/call_records_2025-07-01.csv:3)"]


def test_many_quarantined_rows_are_an_error(con, tmp_path):
    load_calls(con, tmp_path, GOOD + "".join(BAD.replace("C2,", f"C2-{n},") for n in range(10)))
    (failure,) = quarantine_failures(con, SOURCES["call_records"], [date(2025, 7, 1)], 0.05, 10)
    assert (failure.severity, failure.unexpected_count) == ("warning", 10)  # 10 is not above 10 rows
    load_calls(con, tmp_path, GOOD + "".join(BAD.replace("C2,", f"C2-{n},") for n in range(11)))
    (failure,) = quarantine_failures(con, SOURCES["call_records"], [date(2025, 7, 1)], 0.05, 10)
    assert (failure.severity, failure.unexpected_count) == ("error", 11)
    assert "11 of 12 rows read were quarantined" in failure.detail


def test_unknown_status_that_reached_raw_fails_the_vocabulary_rule(con, tmp_path):
    load_calls(con, tmp_path, GOOD)
    con.execute("update raw.call_records set call_status = 'MISSED'")  # e.g. loaded before the rule existed
    (failure,) = validate(con, SOURCES["call_records"], [date(2025, 7, 1)])
    assert (failure.expectation, failure.column, failure.sample_values) == (
        "expect_column_values_to_be_in_set",
        "call_status",
        ["MISSED"],
    )


def test_volume_drop_and_empty_export_fail(con, tmp_path):
    for day in range(1, 8):  # a week of 30 calls a day
        calls = "".join(
            GOOD.replace("C1,", f"C{day}-{n},").replace("01/07/2025", f"0{day}/07/2025") for n in range(30)
        )
        load_calls(con, tmp_path, calls, date(2025, 7, day))
    load_calls(con, tmp_path, "", date(2025, 7, 8))  # header only: no calls at all that day
    (failure,) = volume_failures(con, SOURCES["call_records"], [date(2025, 7, 8)])
    assert failure.severity == "error" and "2025-07-08: 0 rows" in failure.detail
    assert volume_failures(con, SOURCES["call_records"], [date(2025, 7, 7)]) == []
    load_calls(
        con,
        tmp_path,
        "".join(GOOD.replace("C1,", f"D{n},").replace("01/07/2025", "08/07/2025") for n in range(12)),
        date(2025, 7, 8),
    )
    assert volume_failures(con, SOURCES["call_records"], [date(2025, 7, 8)]) == []  # 12 of 30: noise


MANY_BAD = "".join(BAD.replace("C2,", f"C2-{n},") for n in range(11))


@pytest.mark.parametrize(
    ("rows", "downstream_built"), [(GOOD, True), (GOOD + BAD, True), (GOOD + MANY_BAD, False)]
)
def test_blocking_check_stops_downstream_assets(tmp_path, monkeypatch, rows, downstream_built):
    from orchestration.defs.ingest.assets import ingest_assets
    from orchestration.defs.quality.checks import quality_checks
    from orchestration.defs.resources import WarehouseResource
    from orchestration.lib import quality

    landing = tmp_path / "landing"
    path = landing / "support" / "callcenter" / "call_records_2025-07-01.csv"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + rows, encoding="utf-8")
    monkeypatch.setenv("CX_LANDING_DIR", str(landing))
    monkeypatch.setenv("CX_QUALITY_DIR", str(tmp_path / "quality"))
    calls = next(a for a in ingest_assets if dg.AssetKey(["raw", "call_records"]) in a.keys)
    check = next(
        c
        for c in quality_checks
        if dg.AssetKey(["raw", "call_records"]) in {k.asset_key for k in c.check_keys}
    )

    @dg.asset(deps=[dg.AssetKey(["raw", "call_records"])], partitions_def=calls.partitions_def)
    def downstream() -> None:
        return None

    result = dg.materialize(
        [calls, check, downstream],
        partition_key="2025-07-01",
        resources={"warehouse": WarehouseResource(database=str(tmp_path / "cx.duckdb"))},
        raise_on_error=False,
    )
    built = (
        {e.asset_key for e in result.get_asset_materialization_events()}
        if hasattr(result, "get_asset_materialization_events")
        else {
            e.event_specific_data.materialization.asset_key
            for e in result.all_events
            if e.event_type_value == "ASSET_MATERIALIZATION"
        }
    )
    assert (dg.AssetKey("downstream") in built) is downstream_built
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is (rows == GOOD)
    assert evaluation.severity == (
        dg.AssetCheckSeverity.WARN if downstream_built else dg.AssetCheckSeverity.ERROR
    )
    # The validation is stored; it is rendered into Data Docs, with the index page, at once when
    # the check fails, else left to the end of the run (the mart checks).
    assert list((tmp_path / "quality").rglob(f"validations/**/{result.run_id}/*/*.json"))
    assert bool(list((tmp_path / "quality").rglob(f"{result.run_id}/*/*.html"))) is (rows != GOOD)
    index = quality.data_docs_index()
    assert index.exists() is (rows != GOOD)
    if rows != GOOD:
        assert result.run_id in index.read_text(encoding="utf-8")


def test_validations_are_rendered_into_data_docs_and_old_ones_pruned(con, tmp_path, monkeypatch):
    from orchestration.lib import quality

    monkeypatch.setenv("CX_QUALITY_DIR", str(tmp_path / "quality"))
    monkeypatch.setenv("CX_QUALITY_KEEP_RESULTS", "2")
    load_calls(con, tmp_path, GOOD + BAD)
    con.execute("update raw.call_records set call_status = 'MISSED'")
    for run in ("run-a", "run-b", "run-c"):
        validate(con, SOURCES["call_records"], [date(2025, 7, 1)], run_name=run)
    index = quality.data_docs_index().read_text(encoding="utf-8")
    assert "raw.call_records" in index and "run-b" in index and "run-c" in index and "run-a" not in index
    stored = sorted(p.relative_to(tmp_path / "quality") for p in (tmp_path / "quality").rglob("*.json"))
    assert [p.parts[-3] for p in stored if "validations" in p.parts] == ["run-b", "run-c"]
    (page,) = (tmp_path / "quality").rglob("run-c/*/*.html")
    assert "MISSED" in page.read_text(encoding="utf-8")  # the failing value is shown


def test_a_validation_left_unrendered_is_rendered_by_the_next_run(con, tmp_path, monkeypatch):
    """A run that stops before rendering (dbt fails after the raw checks passed) leaves stored
    results without a page: the next rendering renders them, so the index never links to nothing."""
    from orchestration.lib import quality

    monkeypatch.setenv("CX_QUALITY_DIR", str(tmp_path / "quality"))
    load_calls(con, tmp_path, GOOD)
    validate(con, SOURCES["call_records"], [date(2025, 7, 1)], run_name="stopped", render=False)
    assert list((tmp_path / "quality").rglob("validations/**/stopped/*/*.json"))
    assert not list((tmp_path / "quality").rglob("stopped/*/*.html"))
    validate(con, SOURCES["call_records"], [date(2025, 7, 1)], run_name="next")
    assert list((tmp_path / "quality").rglob("stopped/*/*.html"))
    assert list((tmp_path / "quality").rglob("next/*/*.html"))
    index = quality.data_docs_index().read_text(encoding="utf-8")
    assert "stopped" in index and "next" in index


def load_days(con, tmp_path, rows_per_day: dict[int, int]) -> list[date]:
    """Load GOOD calls into July 2025 partitions, e.g. {1: 2, 2: 3}: 2 calls on the 1st, 3 on the 2nd."""
    for day, count in rows_per_day.items():
        calls = "".join(
            GOOD.replace("C1,", f"C{day}-{n},").replace("01/07/2025", f"0{day}/07/2025") for n in range(count)
        )
        load_calls(con, tmp_path, calls, date(2025, 7, day))
    return [date(2025, 7, day) for day in rows_per_day]


def test_validation_in_chunks_merges_the_failures_of_every_chunk(con, tmp_path, monkeypatch):
    from orchestration.lib import quality

    monkeypatch.setenv("CX_QUALITY_DIR", str(tmp_path / "quality"))
    monkeypatch.setenv("CX_QUALITY_KEEP_RESULTS", "1")
    days = load_days(con, tmp_path, {1: 2, 2: 2, 3: 2, 4: 2})
    # 3 unknown statuses in the first chunk (the 1st and 2nd), 3 in the second (the 3rd and 4th),
    # and a call answered before it was queued in the second chunk only.
    con.execute("update raw.call_records set call_status = 'LOST' where call_id in ('C1-0', 'C1-1', 'C2-1')")
    con.execute(
        "update raw.call_records set call_status = 'MISSED' where call_id in ('C3-0', 'C4-0', 'C4-1')"
    )
    con.execute(
        "update raw.call_records set answered_at = queued_at - interval 1 minute where call_id = 'C4-1'"
    )
    validate(con, SOURCES["call_records"], days[:1], run_name="before")  # one chunk, pruned below

    monkeypatch.setenv("CX_QUALITY_CHUNK_ROWS", "4")
    assert quality.partition_chunks(con, SOURCES["call_records"], days, 4) == [days[:2], days[2:]]
    pair, in_set = validate(con, SOURCES["call_records"], days, run_name="chunked")  # in GE's order
    assert (in_set.expectation, in_set.column, in_set.severity, in_set.unexpected_count) == (
        "expect_column_values_to_be_in_set",
        "call_status",
        "error",
        6,
    )
    assert in_set.sample_values == ["LOST", "LOST", "LOST", "MISSED", "MISSED"]  # the first 5, both chunks
    assert (pair.expectation, pair.unexpected_count) == (
        "expect_column_pair_values_a_to_be_greater_than_b",
        1,
    )

    # One GE run per chunk, named after its partitions, rendered, and pruned as one validation.
    stored = sorted(p for p in (tmp_path / "quality").rglob("*.json") if "validations" in p.parts)
    assert [p.parts[-3] for p in stored] == [
        "chunked 2025-07-01..2025-07-02",
        "chunked 2025-07-03..2025-07-04",
    ]
    index = quality.data_docs_index().read_text(encoding="utf-8")
    assert "chunked 2025-07-01..2025-07-02" in index and "chunked 2025-07-03..2025-07-04" in index
    assert "call_records/before/" not in index and "call_records/chunked%20" in index  # links
    (page,) = (tmp_path / "quality").rglob("chunked 2025-07-03..2025-07-04/*/*.html")
    assert "MISSED" in page.read_text(encoding="utf-8")

    # The same counts as one unchunked validation.
    monkeypatch.setenv("CX_QUALITY_CHUNK_ROWS", "1000000")
    whole = validate(con, SOURCES["call_records"], days, run_name="whole")
    assert [(f.expectation, f.column, f.unexpected_count, f.detail) for f in whole] == [
        (f.expectation, f.column, f.unexpected_count, f.detail) for f in (pair, in_set)
    ]


def test_a_partition_above_the_chunk_size_is_validated_whole(con, tmp_path, monkeypatch):
    from orchestration.lib import quality

    days = load_days(con, tmp_path, {1: 1, 2: 3, 3: 1, 4: 1})
    con.execute("update raw.call_records set call_status = 'MISSED' where call_id like 'C2-%'")
    monkeypatch.setenv("CX_QUALITY_CHUNK_ROWS", "2")
    assert quality.partition_chunks(con, SOURCES["call_records"], days, 2) == [days[:1], days[1:2], days[2:]]
    frames = []
    read = quality.partition_frame

    def spy(con, source, columns, partitions):
        frame = read(con, source, columns, partitions)
        frames.append((partitions, len(frame)))
        return frame

    monkeypatch.setattr(quality.validation, "partition_frame", spy)
    (failure,) = validate(con, SOURCES["call_records"], days, run_name="big")
    assert frames == [(days[:1], 1), (days[1:2], 3), (days[2:], 2)]
    assert (failure.column, failure.unexpected_count, failure.sample_values) == (
        "call_status",
        3,
        ["MISSED", "MISSED", "MISSED"],
    )
