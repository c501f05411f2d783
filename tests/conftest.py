from __future__ import annotations

import os
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.config import load_sources

ORDERS_CONFIG = """
defaults:
  timezone: Asia/Ho_Chi_Minh
sources:
  - name: shop_orders
    domain: sales
    files: shop/orders_{date}*.csv
    primary_key: [order_id]
    version_column: updated_at
    row_date: ordered_at
    constants: {sales_channel: shop}
    columns:
      order_id: {source: Mã đơn, type: text, required: true}
      customer_name: {source: Khách hàng, type: text}
      ordered_at: {source: Ngày đặt, type: timestamp, format: "%d/%m/%Y %H:%M", required: true}
      updated_at: {source: Updated, type: timestamp, format: iso}
      amount: {source: Thành tiền, type: decimal, thousands: ".", decimal_mark: ",", symbols: [₫], min: 0}
      status: {source: Trạng thái, type: text, accepted_values: [Mới, Đã giao, Đã hủy]}
      score: {source: Score, type: integer, min: 1, max: scale_max}
      scale_max: {source: Scale, type: integer}
"""


@pytest.fixture(scope="session", autouse=True)
def quality_dir(tmp_path_factory) -> Path:
    """Great Expectations' validation results and Data Docs of the test session, not the repo's."""
    path = tmp_path_factory.mktemp("quality")
    os.environ["CX_QUALITY_DIR"] = str(path)
    return path


@pytest.fixture
def write_config(tmp_path: Path):
    """Write a sources.yml into tmp_path and return the parsed sources."""

    def write(text: str = ORDERS_CONFIG):
        path = tmp_path / "sources.yml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return load_sources(path)

    return write


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def con(tmp_path: Path):
    connection = duckdb.connect(str(tmp_path / "test.duckdb"))
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def sample_baseline(tmp_path_factory) -> Path:
    """Eight days of the generated sample (scale 0.5) of which the first seven went through the
    whole job: <root>/landing, <root>/cx.duckdb, <root>/published. Read it, or copy it to change it."""
    import dagster as dg

    from orchestration.samples import generate
    from tests.pipeline import run_cx_daily

    root = tmp_path_factory.mktemp("baseline")
    generate(root / "landing", date(2025, 7, 1), 8, scale=0.5)
    with dg.instance_for_test() as instance:
        result = run_cx_daily(
            instance, root / "landing", root / "cx.duckdb", root / "published", "2025-07-01", "2025-07-07"
        )
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    return root
