"""The nightly schedule and the landing sensor, evaluated with Dagster's test contexts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.defs.automation import landing_sensor, nightly

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_nightly_run_ingests_the_previous_business_day():
    # 02:00 in Ho Chi Minh City on 15 Aug is still 14 Aug in UTC: the partition is 14 Aug.
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 8, 15, 2, 0, tzinfo=HCM))
    request = nightly(context)
    assert request.partition_key == "2025-08-14"
    assert request.run_key == "nightly-2025-08-14"
    assert nightly.cron_schedule == "0 2 * * *"
    assert nightly.execution_timezone == "Asia/Ho_Chi_Minh"


@pytest.fixture
def landing(tmp_path, monkeypatch):
    path = tmp_path / "landing"
    (path / "sales" / "pos").mkdir(parents=True)
    (path / "support" / "callcenter").mkdir(parents=True)
    monkeypatch.setenv("CX_LANDING_DIR", str(path))
    return path


def evaluate(cursor):
    with dg.instance_for_test() as instance:
        return landing_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))


def test_sensor_triggers_once_per_new_file(landing):
    (landing / "sales/pos/pos_sales_2025-07-01.csv").write_text("x")
    first = evaluate(None)  # baseline: files already there were loaded by run/backfill
    assert first.run_requests == [] and first.cursor

    (landing / "sales/pos/pos_sales_2025-07-02.csv").write_text("x")
    (landing / "support/callcenter/call_records_2025-07-02.csv").write_text("x")
    (landing / "support/callcenter/notes.txt").write_text("not an export")
    second = evaluate(first.cursor)
    assert [
        (r.partition_key, sorted(k.to_user_string() for k in r.asset_selection)) for r in second.run_requests
    ] == [("2025-07-02", ["raw/call_records", "raw/pos_sales"])]

    third = evaluate(second.cursor)  # nothing new: no run
    assert third.run_requests == []

    (landing / "sales/pos/pos_sales_2025-07-02 (1).csv").write_text("x")  # re-delivery
    fourth = evaluate(third.cursor)
    assert [
        (r.partition_key, [k.to_user_string() for k in r.asset_selection]) for r in fourth.run_requests
    ] == [("2025-07-02", ["raw/pos_sales"])]
    assert fourth.run_requests[0].run_key != second.run_requests[0].run_key
