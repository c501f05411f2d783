"""The sample generator: deterministic, every export matches its configuration, dirt as listed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from orchestration.lib.config import load_sources
from orchestration.samples import generate

START, DAYS = date(2025, 7, 1), 7


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    manifest = generate(root, START, DAYS)
    return root, manifest


def test_same_arguments_give_identical_files_and_another_seed_does_not(sample, tmp_path):
    root, _ = sample
    generate(tmp_path / "again", START, DAYS)
    assert digests(tmp_path / "again") == digests(root)
    generate(tmp_path / "other", START, DAYS, seed=7)
    assert digests(tmp_path / "other") != digests(root)


def header_of(path: Path, source) -> list[str]:
    if source.format == "xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True)[source.sheet]
        return [str(v) for v in next(sheet.iter_rows(values_only=True))]
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()[source.skip_rows :]
    return next(csv.reader(io.StringIO(lines[0]), delimiter=source.delimiter))


def test_every_file_matches_its_source_configuration(sample):
    root, _ = sample
    for source in load_sources():
        files = sorted(root.glob(source.file_glob()))
        assert {source.partition_of(f.relative_to(root).as_posix()) for f in files} == {
            date(2025, 7, d) for d in range(1, DAYS + 1)
        }, source.name
        if source.format == "ndjson":
            keys = set()
            for path in files:
                for line in path.read_text(encoding="utf-8").splitlines():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    keys |= {f"{k}.{sub}" for k, v in record.items() if isinstance(v, dict) for sub in v}
                    keys |= set(record)
            assert {c.source for c in source.columns} <= keys, source.name
        else:
            header = header_of(files[0], source)
            assert {c.source for c in source.columns} <= set(header), source.name


def test_manifest_lists_the_dirt_with_file_and_line(sample):
    root, manifest = sample
    entries = manifest["sources"]
    assert entries["call_records"]["dirt"]["malformed_lines"] == 1
    (where,) = entries["call_records"]["dirt_lines"]
    line = (root / where["file"]).read_text(encoding="utf-8").splitlines()[where["line"] - 1]
    assert line.count(",") == 2  # three fields where eleven are expected
    assert entries["shopee_orders"]["duplicate_files"] == ["sales/shopee/shopee_orders_2025-07-04 (1).csv"]
    copy = root / entries["shopee_orders"]["duplicate_files"][0]
    assert copy.read_bytes() == (root / "sales/shopee/shopee_orders_2025-07-04.csv").read_bytes()
    assert entries["survey_responses"]["dirt"]["out_of_range"] == 2


def test_bom_vietnamese_text_and_phone_formats(sample):
    root, _ = sample
    shopee = (root / "sales/shopee/shopee_orders_2025-07-01.csv").read_bytes()
    assert shopee.startswith(b"\xef\xbb\xbf")
    assert "Trạng Thái Đơn Hàng" in shopee.decode("utf-8-sig")
    phones = "\n".join(p.read_text(encoding="utf-8-sig") for p in root.glob("sales/*/*.csv"))
    assert "+84 " in phones and "84-" in phones and ",09" in phones or ",03" in phones
