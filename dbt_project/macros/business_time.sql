{#- Business time: the business time zone (var business_timezone) and durations.
    Where engines differ, a macro dispatches (adapter.dispatch) to a DuckDB (default__) and a
    Spark (spark__) implementation. -#}

{#- The business-day date of a UTC timestamp. -#}
{% macro to_business_date(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_business_date', 'cx_warehouse')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_business_date(utc_timestamp) -%}
    cast(timezone('{{ var("business_timezone") }}', timezone('UTC', {{ utc_timestamp }})) as date)
{%- endmacro %}

{% macro spark__to_business_date(utc_timestamp) -%}
    to_date(from_utc_timestamp({{ utc_timestamp }}, '{{ var("business_timezone") }}'))
{%- endmacro %}

{#- The UTC instant at which a business date ends (exclusive bound: next midnight, local). -#}
{% macro business_date_end_utc(business_date) -%}
    {{ return(adapter.dispatch('business_date_end_utc', 'cx_warehouse')(business_date)) }}
{%- endmacro %}

{% macro default__business_date_end_utc(business_date) -%}
    timezone('UTC', timezone('{{ var("business_timezone") }}', cast({{ business_date }} as timestamp) + interval 1 day))
{%- endmacro %}

{% macro spark__business_date_end_utc(business_date) -%}
    to_utc_timestamp(cast(date_add({{ business_date }}, 1) as timestamp), '{{ var("business_timezone") }}')
{%- endmacro %}

{#- Seconds between two timestamps, fractional. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'cx_warehouse')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}

{% macro spark__seconds_between(start_ts, end_ts) -%}
    (cast(unix_micros({{ end_ts }}) - unix_micros({{ start_ts }}) as double) / 1000000)
{%- endmacro %}
