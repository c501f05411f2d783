"""Finding a run's landed files: a source's files of a day, the days that have files, and the
plan of a run (each file with its hash, copies of an earlier file and empty files marked)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.lib.config import Source
from orchestration.lib.ingest.errors import IngestError
from orchestration.lib.ingest.text import _Text


@dataclass
class FileResult:
    file: str
    sha256: str
    status: str  # loaded | duplicate | empty
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicate_of: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    lines_read: int | None = None
    lines_loaded: int | None = None
    lines_quarantined: int | None = None
    lines_skipped: int | None = None


def landed_files(landing_dir: Path, source: Source, partition: date) -> list[Path]:
    """One source's files of one partition, shortest name first (the original before its copies)."""
    landing_dir = landing_dir.resolve()
    files = []
    for path in sorted(landing_dir.glob(source.file_glob(partition)), key=lambda p: (len(p.name), p.name)):
        resolved = path.resolve()
        if not resolved.is_relative_to(landing_dir):
            raise IngestError(f"source '{source.name}': {path} resolves outside {landing_dir}")
        relative = resolved.relative_to(landing_dir).as_posix()
        if path.is_file() and source.partition_of(relative) == partition:
            files.append(resolved)
    return files


def available_partitions(landing_dir: Path, source: Source) -> set[date]:
    """Every partition date for which this source has at least one landed file."""
    dates = set()
    for path in landing_dir.glob(source.file_glob()):
        partition = source.partition_of(path.relative_to(landing_dir).as_posix())
        if partition and path.is_file():
            dates.add(partition)
    return dates


@dataclass
class _Landed:
    """A landed file of the run: where it is, its partition, and what became of it."""

    path: Path
    partition: date
    result: FileResult
    size: int
    first_line: int = 1  # the line number of its first data record
    readable: str = ""  # the file DuckDB reads: the export itself or a normalised copy
    read_as: tuple = ()  # (header, encoding, quoted): the files read by one read_csv
    text: _Text | None = None  # what the scan of its bytes found (None for XLSX)
    skipped_lines: int = 0  # header, title and blank lines


def _plan(landing_dir: Path, source: Source, partitions: list[date]) -> list[_Landed]:
    """Every landed file of the partitions; copies of an earlier file and empty files are marked.

    Duplicates are looked for within a partition: a re-delivered export carries the same day in
    its name, while two header-only exports of different days are alike but not copies."""
    files = []
    for partition in partitions:
        seen: dict[str, str] = {}
        for path in landed_files(landing_dir, source, partition):
            relative = path.relative_to(landing_dir).as_posix()
            result, size = FileResult(relative, _sha256(path), "loaded"), path.stat().st_size
            if result.sha256 in seen:
                result.status, result.duplicate_of = "duplicate", seen[result.sha256]
            else:
                seen[result.sha256] = relative
                if size == 0:
                    result.status = "empty"
            files.append(_Landed(path, partition, result, size))
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
