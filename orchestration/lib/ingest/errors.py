"""The errors of ingestion: each names the source, the file and what is wrong."""

from __future__ import annotations


class IngestError(RuntimeError):
    """A file cannot be loaded; the message names the source, file and what is wrong."""


class SchemaDriftError(IngestError):
    """A mapped column is missing from an export (renamed or removed)."""
