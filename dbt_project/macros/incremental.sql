{#- Incremental fact models re-process every business day (order day, ticket creation day) that
    has a record whose latest version arrived on or after the cutoff: the start of the run's
    window (var window_start, passed by Dagster for the partitions being run) or, without a
    window, the newest export day already in the model; minus var lookback_days, so that late
    updates of recent days are picked up again. -#}
{% macro incremental_cutoff(partition_column='_partition_date') -%}
    {%- set lookback = var('lookback_days') | int -%}
    {%- if var('window_start', none) -%}
        {{ dbt.dateadd('day', -lookback, "cast('" ~ var('window_start') ~ "' as date)") }}
    {%- else -%}
        (select {{ dbt.dateadd('day', -lookback, 'max(' ~ partition_column ~ ')') }} from {{ this }})
    {%- endif -%}
{%- endmacro %}

{#- How an incremental model writes the re-processed rows. Both engines get whole business days
    (all rows of every day that has a changed row, see the incremental models), so the result
    equals a full rebuild on either:
    DuckDB: delete+insert on the model's unique_key.
    Spark: insert_overwrite of the day partitions (partition_by, below), which works with plain
    Parquet tables (merge would need Delta, Iceberg or Hudi). -#}
{% macro incremental_strategy() -%}
    {{ return(adapter.dispatch('incremental_strategy', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#- The partition column of an incremental model, where the engine partitions tables: none on
    DuckDB (its tables have no partitions), the business-day column on Spark. -#}
{% macro incremental_partition_by(day_column) -%}
    {{ return(adapter.dispatch('incremental_partition_by', 'cx_warehouse')(day_column)) }}
{%- endmacro %}

{% macro default__incremental_partition_by(day_column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__incremental_partition_by(day_column) -%}
    {{ return(day_column) }}
{%- endmacro %}
