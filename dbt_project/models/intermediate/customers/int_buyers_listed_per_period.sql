-- One row per customer who bought (an order not cancelled) in a period, per sales channel and
-- over all channels ('all'), with the date of their first purchase. Counting rows counts distinct
-- customers, with no count(distinct) per grouping set; kept as a table so that sales_kpis reads
-- it, not the two years of orders expanded to every grain, in each of its counts.
-- Incremental (DuckDB): a run rebuilds the periods from the first day whose buyers differ from
-- the table's (a checksum per day): a new or changed order, a first purchase that moved, or an
-- identity merge that gave old orders a new customer key. Rebuilt rows carry the run's start
-- (_built_at), from which sales_kpis learns what to rebuild.
{{ config(
    materialized=keyed_materialization('table'),
    unique_key=['period_grain', 'period_start'],
    incremental_strategy='delete+insert',
) }}
{% set since = '(select since from rebuild_since)' if is_incremental() else none %}

with

orders as (
    select * from {{ ref('int_orders_joined_with_customers') }}
    where not is_cancelled and customer_key is not null
),

first_touch as (
    select * from {{ ref('int_customers_first_touch') }}
),

day_buyers as (
    select distinct
        orders.ordered_date,
        orders.sales_channel,
        orders.customer_key,
        first_touch.first_order_date
    from orders
    inner join first_touch
        on orders.customer_key = first_touch.customer_key
),

{% if is_incremental() %}
day_checksums as (
    select ordered_date as business_date, sum(hash(sales_channel, customer_key, first_order_date)) as checksum
    from day_buyers
    group by ordered_date
),

stored_day_checksums as (
    select period_start as business_date, sum(hash(channel, customer_key, first_order_date)) as checksum
    from {{ this }}
    where period_grain = 'day' and channel != 'all'
    group by period_start
),

rebuild_since as (
    select min(coalesce(day_checksums.business_date, stored_day_checksums.business_date)) as since
    from day_checksums
    full outer join stored_day_checksums
        on day_checksums.business_date = stored_day_checksums.business_date
    where day_checksums.checksum is distinct from stored_day_checksums.checksum
),

{% endif %}
days_in_period as (
    {{ expand_to_periods('day_buyers', 'ordered_date', since) }}
),

buyers as (
    select distinct period_grain, period_start, sales_channel, customer_key, first_order_date
    from days_in_period
),

rebuilt_periods as (
    select period_grain, period_start from {{ ref('int_periods') }}
    {%- if since %}
    where {{ is_rebuilt_period('period_grain', 'period_start', since) }}
    {%- endif %}
),

final as (
    select period_grain, period_start, sales_channel as channel, customer_key, first_order_date
    from buyers
    union all
    select distinct period_grain, period_start, 'all', customer_key, first_order_date
    from buyers
    union all
    -- One row without a customer per period built: a rebuild that leaves a period without any
    -- buyer still replaces its rows (delete+insert replaces the periods present in the run).
    select period_grain, period_start, 'all', cast(null as {{ dbt.type_string() }}), cast(null as date)
    from rebuilt_periods
)

select *, cast('{{ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') }}' as {{ dbt.type_timestamp() }}) as _built_at
from final
