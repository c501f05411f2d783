"""Great Expectations suites for the raw tables and the marts, and their validation.

Route: GE's pandas datasource, fed from DuckDB through Arrow with only the columns the suite
needs: for a raw table only the rows of the partitions being validated, for a mart the whole mart
(an aggregate: periods x channels, thousands of rows). GE's SQL datasource is not used: on DuckDB
through duckdb-engine it reads results after the connection has closed and reports every
expectation as failed (see DECISIONLOG.md). Whole-history rules (a key unique across every
partition) are dbt tests on the staging models.

A raw table's partitions are validated in chunks of whole partitions of at most
`CX_QUALITY_CHUNK_ROWS` rows, one GE run each, their failures merged: a backfill of two years holds
millions of rows, and one DataFrame of them (object-dtype strings) would take gigabytes.

Suites are generated and committed under expectations/suites/ (`make manifest`, see
orchestration/lib/generate.py): a raw table's from sources.yml (types, required
columns, vocabularies, ranges) plus the hand-written rules of expectations/rules.yml (timestamp
order); a mart's from its dbt model (contract columns, key, unit ranges) plus the `_marts`
section of rules.yml. Each expectation carries meta.severity: "error" blocks downstream assets,
"warning" is reported. Every validation is stored in GE's project under settings().quality_dir and
rendered into Data Docs there.
"""

from orchestration.lib.quality.checks import (
    encoding_failures,
    missing_days,
    missing_export_failures,
    quarantine_failures,
    volume_failures,
)
from orchestration.lib.quality.data_docs import data_docs_index, render_data_docs
from orchestration.lib.quality.suites import (
    DBT_MANIFEST,
    SUITES_DIR,
    SuiteMissingError,
    build_mart_suite_dict,
    build_suite_dict,
    load_rules,
    mart_models,
    read_suite,
    suite_name,
)
from orchestration.lib.quality.validation import (
    Failure,
    partition_chunks,
    partition_frame,
    run_suite,
    validate,
    validate_mart,
)

__all__ = [
    "DBT_MANIFEST",
    "SUITES_DIR",
    "Failure",
    "SuiteMissingError",
    "build_mart_suite_dict",
    "build_suite_dict",
    "data_docs_index",
    "encoding_failures",
    "load_rules",
    "mart_models",
    "missing_days",
    "missing_export_failures",
    "partition_chunks",
    "partition_frame",
    "quarantine_failures",
    "read_suite",
    "render_data_docs",
    "run_suite",
    "suite_name",
    "validate",
    "validate_mart",
    "volume_failures",
]
