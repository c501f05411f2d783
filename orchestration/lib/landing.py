"""What has landed: files per source and partition, and which of them are new since last time."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from orchestration.lib.config import Source


def landed_files(landing_dir: Path, sources: list[Source]) -> dict[str, tuple[str, date]]:
    """Every landed file: {fingerprint: (source name, partition)}.

    The fingerprint is "path|size|mtime": a file seen before is the same fingerprint, a file
    replaced by a new delivery under the same name is a new one.
    """
    found = {}
    for source in sources:
        for path in landing_dir.glob(source.file_glob()):
            relative = path.relative_to(landing_dir).as_posix()
            partition = source.partition_of(relative)
            if partition is None or not path.is_file():
                continue
            stat = path.stat()
            found[f"{relative}|{stat.st_size}|{stat.st_mtime_ns}"] = (source.name, partition)
    return found


def new_files_by_partition(
    landing_dir: Path, sources: list[Source], cursor: str | None
) -> tuple[dict[date, set[str]], str]:
    """Partitions with files not seen before -> the sources to load; and the new cursor.

    The cursor is the JSON list of fingerprints seen, pruned to files that still exist.
    """
    seen = set(json.loads(cursor)) if cursor else set()
    current = landed_files(landing_dir, sources)
    todo: dict[date, set[str]] = defaultdict(set)
    for fingerprint, (source, partition) in current.items():
        if fingerprint not in seen:
            todo[partition].add(source)
    return dict(todo), json.dumps(sorted(current))
