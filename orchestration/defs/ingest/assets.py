"""One ingestion asset per entry of sources.yml: raw/<name>, partitioned by export day."""

from datetime import date

import dagster as dg

from orchestration.defs.partitions import WAREHOUSE_POOL, daily_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.config import Source, load_sources
from orchestration.lib.ingest import SQL_TYPES, IngestError, load_partitions, quote, refresh_reconciliation
from orchestration.lib.settings import settings

SOURCES = load_sources()


def build_ingest_asset(source: Source) -> dg.AssetsDefinition:
    columns = [
        dg.TableColumn(c.name, SQL_TYPES[c.type], description=f"from '{c.source}'") for c in source.columns
    ]
    columns += [dg.TableColumn(name, "varchar", description="constant") for name in source.constants]

    @dg.asset(
        key=dg.AssetKey(["raw", source.name]),
        group_name=f"raw_{source.domain}",
        description=source.description,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", source.format},
        tags={"domain": source.domain},
        pool=WAREHOUSE_POOL,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
        metadata={
            "files": source.files,
            "primary_key": list(source.primary_key),
            "dagster/table_name": f"raw.{source.name}",
            "dagster/column_schema": dg.TableSchema(columns=columns),
        },
    )
    def ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        landing = settings().landing_dir
        partitions = [date.fromisoformat(key) for key in context.partition_keys]
        with warehouse.connect() as con:
            try:
                results = load_partitions(con, source, landing, partitions)
            except IngestError as error:  # a bad export: retrying cannot help, say what is wrong
                raise dg.Failure(description=str(error), allow_retries=False) from error
            for result in (r for r in results if r.files):  # a day without files has nothing to say
                context.log.debug(
                    f"{source.name} {result.partition_date}: {len(result.files)} file(s), "
                    f"read {result.rows_read}, loaded {result.rows_loaded}, "
                    f"quarantined {result.rows_quarantined}"
                )
                for skipped in (f for f in result.files if f.status != "loaded"):
                    context.log.warning(
                        f"{source.name} {result.partition_date}: {skipped.file} {skipped.status}"
                        + (f" of {skipped.duplicate_of}" if skipped.duplicate_of else "")
                    )
            context.log.info(
                f"{source.name}: {len(partitions)} partition(s), read {sum(r.rows_read for r in results)}, "
                f"loaded {sum(r.rows_loaded for r in results)}, "
                f"quarantined {sum(r.rows_quarantined for r in results)}"
            )
            refresh_reconciliation(con, SOURCES)
            table_rows = con.execute(f"select count(*) from raw.{quote(source.name)}").fetchone()[0]
        extra = sorted({c for r in results for f in r.files for c in f.extra_columns})
        return dg.MaterializeResult(
            metadata={
                "partitions": len(partitions),
                "files_loaded": sum(f.status == "loaded" for r in results for f in r.files),
                "files_skipped": [
                    f"{f.file}: {f.status}" for r in results for f in r.files if f.status != "loaded"
                ],
                "rows_read": sum(r.rows_read for r in results),
                "rows_loaded": sum(r.rows_loaded for r in results),
                "rows_quarantined": sum(r.rows_quarantined for r in results),
                "unmapped_columns": extra,
                "dagster/row_count": table_rows,
            }
        )

    return ingest


ingest_assets = [build_ingest_asset(source) for source in SOURCES]
