"""Load a run's exports of one source into DuckDB, set-based, with lineage and quarantine.

For all landed files of the run's partitions together:
1. read them with DuckDB's own readers into a temporary table of text columns: one read_csv
   over every file that shares a header (NDJSON as one text column per line), with each record's
   file and the physical line where it starts; malformed records are captured, not skipped. A file
   with mixed or CR line ends, a BOM inside or blank lines is read from a normalised copy; a
   record that a stray quote stretched over many lines is cut at its first line and the file
   read again from the next (_recover); every line is loaded, quarantined or counted as skipped;
2. check each file's header against the configuration (a missing mapped column stops the source
   with a SchemaDriftError naming the file and column; extra columns are accepted and recorded);
3. parse every mapped column to its type and find the first row-level rule each row breaks, in
   one pass; good rows repeating an earlier row of their file are repeats;
4. in one transaction, replace the partitions: delete their rows from raw.<source>,
   quarantine.<source> and meta.ingested_files, then insert good rows into raw.<source> and
   bad rows (with the rule, column, reason, file and line) into quarantine.<source>.

A run loads all of its partitions or none. A file whose bytes were already loaded for the same
day (the same export delivered twice) is recorded with status 'duplicate' and not loaded again.
Re-loading a partition gives the same tables.

The modules, in the order a run uses them: discovery (a source's landed files of a day, copies
and empty files), text (encodings, line ends, BOMs, blank lines; the normalised copy), readers
(CSV header, read_csv over a group of files, NDJSON, XLSX), lines (physical line numbers, records
cut after a stray quote), staging (a batch of files into the temp tables `staged` and `rejected`),
parsing (value grammars: numbers, money, dates, timestamps), rules (row-level rules, repeats,
conflicts), loading (the tables, the reconciliation view and the run's transaction); sql (quoting)
and errors are shared.
"""

from orchestration.lib.ingest.discovery import FileResult, available_partitions, landed_files
from orchestration.lib.ingest.errors import IngestError, SchemaDriftError
from orchestration.lib.ingest.loading import (
    PartitionResult,
    ensure_tables,
    load_partition,
    load_partitions,
    refresh_reconciliation,
)
from orchestration.lib.ingest.sql import SQL_TYPES, literal, quote

__all__ = [
    "SQL_TYPES",
    "FileResult",
    "IngestError",
    "PartitionResult",
    "SchemaDriftError",
    "available_partitions",
    "ensure_tables",
    "landed_files",
    "literal",
    "load_partition",
    "load_partitions",
    "quote",
    "refresh_reconciliation",
]
