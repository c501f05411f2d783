"""One writer at a time: an exclusive lock on the warehouse for the whole of a run.

DuckDB lets one process write a database file, but only while it holds a connection: two runs
that each open and close connections step by step (and dbt, a subprocess) interleave, and the
second one failed on DuckDB's lock half way. So every run takes this lock first, for all of its
steps, whatever started it: `python -m orchestration.run` (make run, make backfill) around its
Dagster run, and every Dagster run (the schedule, the sensor, the UI) when it initialises the
warehouse resource (orchestration/defs/resources.py).

The lock is an flock(2) on `<warehouse>.lock`, beside the DuckDB file, which records who holds it
and since when. The kernel releases it when its holder exits, even on SIGKILL, so it is never
left stale. A run that finds it held waits, saying who holds it, and gives up after
CX_WAREHOUSE_LOCK_TIMEOUT seconds (default 3600) with the same message.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib.settings import settings

POLL_SECONDS = 1.0

# Locks this process holds, by lock file and thread: the CLI holds the lock around the Dagster run
# it executes in the same thread, whose warehouse resource then takes it again.
_held: set[tuple[str, int]] = set()


class WarehouseLockTimeout(RuntimeError):
    """Another run kept the warehouse for longer than the wait allows."""


@contextmanager
def writer_lock(
    database: Path,
    holder: str,
    timeout: float | None = None,
    log: Callable[[str], None] = print,
) -> Iterator[None]:
    """Hold the warehouse's writer lock, waiting up to `timeout` seconds for another holder;
    `holder` says who we are in the message another waiting run shows."""
    path = Path(f"{Path(database).resolve()}.lock")
    key = (str(path), threading.get_ident())
    if key in _held:  # re-entered: the outer holder releases it
        yield
        return
    timeout = settings().warehouse_lock_timeout if timeout is None else timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started, announced = time.monotonic(), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                current = describe_holder(path)
                message = f"the warehouse {database} is being written by {current or 'another process'}"
                if waited >= timeout:
                    raise WarehouseLockTimeout(
                        f"{message}; gave up after waiting {waited:.0f} s (CX_WAREHOUSE_LOCK_TIMEOUT). "
                        "Run again when it has finished."
                    ) from None
                # Its holder writes who it is right after taking the lock: give it a moment.
                if not announced and (current or waited > 5):
                    log(f"Waiting: {message}; this run starts when it finishes (at most {timeout:.0f} s).")
                    announced = True
                time.sleep(POLL_SECONDS)
        if announced:
            log(f"The warehouse {database} is free after {time.monotonic() - started:.0f} s: starting.")
        record = {
            "holder": holder,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        _held.add(key)
        try:
            yield
        finally:
            _held.discard(key)
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


def describe_holder(path: Path) -> str | None:
    """Who holds the lock, as its holder wrote it: "<holder> (pid N on host, since ...)"; None
    before it has written it."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return f"{record['holder']} (pid {record['pid']} on {record['host']}, since {record['since']})"
    except (OSError, ValueError, KeyError):
        return None
