"""Jobs: the main job ingests every source and builds every dbt model for a range of days."""

import dagster as dg

all_assets_job = dg.define_asset_job(
    name="cx_daily",
    selection=dg.AssetSelection.all(),
    description="Ingest the day's exports of every source, validate, and rebuild the marts.",
)
