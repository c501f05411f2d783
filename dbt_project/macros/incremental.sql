{#- Incremental fact models re-process every record whose latest version arrived on or after
    the cutoff: the start of the run's window (var window_start, passed by Dagster for the
    partitions being run) or, without a window, the newest export day already in the model;
    minus var lookback_days, so that late updates of recent days are picked up again. -#}
{% macro incremental_cutoff(partition_column='_partition_date') -%}
    {%- set lookback = var('lookback_days') | int -%}
    {%- if var('window_start', none) -%}
        {{ dbt.dateadd('day', -lookback, "cast('" ~ var('window_start') ~ "' as date)") }}
    {%- else -%}
        (select {{ dbt.dateadd('day', -lookback, 'max(' ~ partition_column ~ ')') }} from {{ this }})
    {%- endif -%}
{%- endmacro %}

{#- The incremental strategy of the engine: delete+insert on DuckDB, merge elsewhere (Spark). -#}
{% macro incremental_strategy() -%}
    {{ return(adapter.dispatch('incremental_strategy', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}
