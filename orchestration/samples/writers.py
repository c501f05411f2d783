"""Writing a day's rows as files (CSV, XLSX, NDJSON) with their dirt, and the manifest."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from orchestration.samples.dirt import DIRT_KINDS, inject_dirt
from orchestration.samples.layouts import SOURCE_FILES
from orchestration.samples.world import Export, World


def write_day(world: World, day: date) -> None:
    for name, spec in SOURCE_FILES.items():
        export = world.exports[name].pop(day, Export())
        path = world.out / spec["path"].format(date=day.isoformat())
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [list(spec["columns"])] + [[row.get(c, "") for c in spec["columns"]] for row in export.rows]
        entry = world.manifest["sources"].setdefault(
            name,
            {
                "files": 0,
                "rows": 0,
                "dirt": dict.fromkeys(DIRT_KINDS, 0),
                "duplicate_files": [],
                "dirt_lines": [],
            },
        )
        lines = inject_dirt(name, day - world.start, rows, spec, entry, path.relative_to(world.out))
        write_file(path, spec, lines)
        entry["files"] += 1
        entry["rows"] += sum(1 for line in lines[1:] if not isinstance(line, str))
        if name == "shopee_orders" and day - world.start == timedelta(days=3):
            copy = path.with_name(path.stem + " (1)" + path.suffix)
            shutil.copyfile(path, copy)
            entry["files"] += 1
            entry["duplicate_files"].append(copy.relative_to(world.out).as_posix())


def write_manifest(world: World) -> None:
    (world.out / "_manifest.json").write_text(
        json.dumps(world.manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )


def write_file(path: Path, spec: dict, lines: list) -> None:
    """Write the lines (header first; a str is a malformed line written as it is) in the spec's format."""
    fmt = spec.get("format", "csv")
    if fmt == "ndjson":
        write_ndjson(path, lines)
    elif fmt == "xlsx":
        write_xlsx(path, lines)
    else:
        write_csv(path, spec, lines)


def write_ndjson(path: Path, lines: list) -> None:
    header = lines[0]
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in lines[1:]:
            if isinstance(line, str):
                handle.write(line + "\n")
                continue
            record = {key: value for key, value in zip(header, line, strict=True)}
            handle.write(
                json.dumps({k: (None if v == "" else v) for k, v in record.items()}, ensure_ascii=False)
                + "\n"
            )


def write_xlsx(path: Path, lines: list) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    workbook.properties.created = datetime(2025, 1, 1)
    sheet = workbook.create_sheet("Đơn hàng")
    for line in lines:
        sheet.append(list(line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    # Re-zip with fixed timestamps: openpyxl stamps every zip entry with the current time.
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to now on save
                data = re.sub(
                    rb"<dcterms:modified([^>]*)>[^<]*<",
                    rb"<dcterms:modified\1>2025-01-01T00:00:00Z<",
                    data,
                )
            target.writestr(fixed, data)


def write_csv(path: Path, spec: dict, lines: list) -> None:
    buffer = io.StringIO()
    if spec.get("title"):
        buffer.write("Campaign report\n")
        buffer.write(f'"{path.stem[-10:]} - {path.stem[-10:]}"\n')
    writer = csv.writer(buffer, delimiter=spec.get("delimiter", ","), lineterminator="\n")
    for line in lines:
        if isinstance(line, str):
            buffer.write(line + "\n")
        else:
            writer.writerow(line)
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if spec.get("bom") else b"") + data)
