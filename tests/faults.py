"""What the fault-injection tests share: a scenario (a copy of the session's baseline run whose
eighth day's exports a test damages, and a runner for that day) and the ways to damage an export."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.bench import mart_digests
from orchestration.defs.dbt.assets import MART_KEYS
from tests.pipeline import run_cx_daily

DAY = "2025-07-08"

MARTS = {key.path[-1] for key in MART_KEYS}


class Scenario:
    """A copy of the baseline state (conftest.sample_baseline) in tmp_path, and a runner for DAY."""

    def __init__(self, baseline: Path, tmp_path: Path):
        shutil.copytree(baseline / "landing", tmp_path / "landing")
        shutil.copytree(baseline / "published", tmp_path / "published", symlinks=True)
        shutil.copy(baseline / "cx.duckdb", tmp_path / "cx.duckdb")
        self.root = tmp_path
        self.landing = tmp_path / "landing"
        self.warehouse = tmp_path / "cx.duckdb"
        self.marts_before = mart_digests(self.warehouse)
        self.published_before = self._published()

    def _published(self) -> bytes:
        return (self.root / "published" / "marts.duckdb").resolve().read_bytes()

    def export(self, pattern: str) -> Path:
        (path,) = self.landing.glob(pattern.format(date=DAY))
        return path

    def run(self, run_config: dict | None = None, day: str = DAY):
        with dg.instance_for_test() as instance:
            result = run_cx_daily(
                instance, self.landing, self.warehouse, self.root / "published", day, day, run_config
            )
            checks = {
                e.asset_key.path[-1]: e
                for e in result.get_asset_check_evaluations()
                if e.check_name == "quality"
            }
            return result, checks

    def query(self, sql: str, params=()):
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def assert_nothing_rebuilt_or_published(self, result):
        materialized = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
        assert "marts" not in materialized and "published" not in materialized
        assert mart_digests(self.warehouse) == self.marts_before
        assert self._published() == self.published_before


def edit_csv(path: Path, edit, delimiter: str = ",") -> None:
    """Rewrite a CSV export: edit(header, rows) returns the new rows (BOM and dialect kept)."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *edit(header, rows)])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))


def set_value(rows, header, column: str, value: str, where=lambda row: True) -> list[str]:
    """Set `column` of the first row matching `where`; return that row."""
    row = next(r for r in rows if where(dict(zip(header, r, strict=True))))
    row[header.index(column)] = value
    return row


def failure(check, rule: str) -> dict:
    """The failed expectation of a check's metadata whose rule is `rule`."""
    failed = check.metadata["failed_expectations"].value
    (match,) = [f for f in failed if f["expectation"] == rule]
    return match


def mixed_line_ends(path: Path) -> list[bytes]:
    """Rewrite a text export with CRLF and LF alternating, as a file edited on two systems has;
    return its lines (without their ends)."""
    lines = path.read_bytes().removesuffix(b"\n").split(b"\n")
    path.write_bytes(b"".join(line + (b"\r\n" if n % 2 else b"\n") for n, line in enumerate(lines)))
    return lines


def edit_xlsx(path: Path, edit) -> None:
    """Rewrite an XLSX export's sheet: edit(header, rows) changes the rows' cells in place."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    edit(header, list(sheet.iter_rows(min_row=2)))
    workbook.save(path)


def swap_day_and_month(text: str) -> str:
    """'08/07/2025 10:11:12' as an export with the wrong date setting writes it: '07/08/2025 ...'."""
    return f"{text[3:5]}/{text[:2]}{text[5:]}" if text else text


def lose_letters(text: str) -> str:
    """Text through a tool without Vietnamese letters: every letter outside ASCII becomes '?'."""
    return "".join(char if ord(char) < 128 else "?" for char in text)
