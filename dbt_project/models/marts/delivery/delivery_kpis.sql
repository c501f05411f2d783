-- Delivery KPIs per carrier and sales channel. Rows: carrier x sales channel; carrier
-- (sales_channel = 'all'); sales channel (carrier = 'all'); everything ('all', 'all').
-- Shipments count in the period they were handed to the carrier; deliveries (on time, days) in
-- the period they were delivered.
-- Incremental (DuckDB): a run rebuilds the periods from the earliest date a changed shipment has
-- (mart_rebuild_since), or all of them when a carrier x sales channel pair is new.
{{ config(
    materialized=mart_materialization(),
    unique_key=['period_grain', 'period_start'],
    incremental_strategy='delete+insert',
) }}
{% set since = '(select since from rebuild_since)' if is_incremental() else none %}

with

shipments as (
    select * from {{ ref('int_shipments_enriched') }}
    where not is_cancelled
),

pairs as (
    select distinct carrier, sales_channel from shipments
    union all
    select distinct carrier, 'all' from shipments
    union all
    select distinct 'all', sales_channel from shipments
    union all
    select 'all', 'all'
),
{% if is_incremental() %}
rebuild_since as (
    select {{ mart_rebuild_since(
        ref('int_shipments_enriched'), ['handed_over_date', 'delivered_date'],
        new_dimensions='select carrier, sales_channel from pairs except select carrier, sales_channel from ' ~ this
    ) }} as since
),
{% endif %}
spine as (
    select periods.period_grain, periods.period_start, periods.is_complete, pairs.carrier, pairs.sales_channel
    from {{ ref('int_periods') }} as periods
    cross join pairs
    {% if since %}where {{ is_rebuilt_period('periods.period_grain', 'periods.period_start', since) }}{% endif %}
),

handed_over_in_period as (
    {{ expand_to_periods('shipments', 'handed_over_date', since) }}
),

handed_over as (
    select
        period_grain,
        period_start,
        coalesce(carrier, 'all') as carrier,
        coalesce(sales_channel, 'all') as sales_channel,
        count(*) as shipments,
        count(distinct order_id) as shipped_orders,
        sum(case when had_failed_attempt then 1 else 0 end) as failed_delivery_shipments,
        sum(case when is_returned_to_sender then 1 else 0 end) as returned_to_sender_shipments,
        sum(shipping_fee) as shipping_cost
    from handed_over_in_period
    group by grouping sets (  -- noqa: PRS
        (period_grain, period_start, carrier, sales_channel),
        (period_grain, period_start, carrier),
        (period_grain, period_start, sales_channel),
        (period_grain, period_start)
    )
),

delivered_in_period as (
    {{ expand_to_periods('shipments', 'delivered_date', since) }}
),

delivered as (
    select
        period_grain,
        period_start,
        coalesce(carrier, 'all') as carrier,
        coalesce(sales_channel, 'all') as sales_channel,
        count(*) as delivered_shipments,
        sum(case when is_on_time then 1 else 0 end) as on_time_shipments,
        {{ exact_mean('delivery_days') }} as delivery_days_mean
    from delivered_in_period
    group by grouping sets (  -- noqa: PRS
        (period_grain, period_start, carrier, sales_channel),
        (period_grain, period_start, carrier),
        (period_grain, period_start, sales_channel),
        (period_grain, period_start)
    )
),

-- The median of delivery days from a histogram (shipments per whole number of days): a median
-- aggregate keeps every value of every group in memory, and with four grouping sets over five
-- grains that does not fit (twice scale 25: out of memory). Of n values it is the mean of the
-- values at positions floor((n + 1) / 2) and ceil((n + 1) / 2), like median().
delivery_days_histogram as (
    select
        period_grain,
        period_start,
        coalesce(carrier, 'all') as carrier,
        coalesce(sales_channel, 'all') as sales_channel,
        delivery_days,
        count(*) as shipments
    from delivered_in_period
    where delivery_days is not null
    group by grouping sets (  -- noqa: PRS
        (period_grain, period_start, carrier, sales_channel, delivery_days),
        (period_grain, period_start, carrier, delivery_days),
        (period_grain, period_start, sales_channel, delivery_days),
        (period_grain, period_start, delivery_days)
    )
),

delivery_days_cumulative as (
    select
        *,
        sum(shipments) over (
            partition by period_grain, period_start, carrier, sales_channel
            order by delivery_days
            rows between unbounded preceding and current row
        ) as shipments_up_to,
        sum(shipments) over (partition by period_grain, period_start, carrier, sales_channel) as n
    from delivery_days_histogram
),

delivery_days_median as (
    select
        period_grain,
        period_start,
        carrier,
        sales_channel,
        (
            min(case when shipments_up_to >= floor((n + 1) / 2.0) then delivery_days end)
            + min(case when shipments_up_to >= ceil((n + 1) / 2.0) then delivery_days end)
        ) / 2.0 as delivery_days_median
    from delivery_days_cumulative
    group by period_grain, period_start, carrier, sales_channel
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.carrier,
        spine.sales_channel,
        spine.is_complete,
        coalesce(handed_over.shipments, 0) as shipments,
        cast(coalesce(delivered.on_time_shipments, 0) as bigint) as on_time_shipments,
        coalesce(delivered.delivered_shipments, 0) as delivered_shipments,
        {{ ratio('delivered.on_time_shipments', 'delivered.delivered_shipments') }} as on_time_delivery_rate,
        cast(delivered.delivery_days_mean as double) as delivery_days_mean,
        cast(delivery_days_median.delivery_days_median as double) as delivery_days_median,
        cast(coalesce(handed_over.failed_delivery_shipments, 0) as bigint) as failed_delivery_shipments,
        {{ ratio('handed_over.failed_delivery_shipments', 'handed_over.shipments') }} as failed_delivery_rate,
        cast(coalesce(handed_over.returned_to_sender_shipments, 0) as bigint) as returned_to_sender_shipments,
        {{ ratio('handed_over.returned_to_sender_shipments', 'handed_over.shipments') }}
            as return_to_sender_rate,
        cast(coalesce(handed_over.shipping_cost, 0) as decimal(38, 4)) as shipping_cost,
        coalesce(handed_over.shipped_orders, 0) as shipped_orders,
        {{ ratio('handed_over.shipping_cost', 'handed_over.shipped_orders') }} as shipping_cost_per_order
    from spine
    left join handed_over
        on spine.period_grain = handed_over.period_grain
        and spine.period_start = handed_over.period_start
        and spine.carrier = handed_over.carrier
        and spine.sales_channel = handed_over.sales_channel
    left join delivered
        on spine.period_grain = delivered.period_grain
        and spine.period_start = delivered.period_start
        and spine.carrier = delivered.carrier
        and spine.sales_channel = delivered.sales_channel
    left join delivery_days_median
        on spine.period_grain = delivery_days_median.period_grain
        and spine.period_start = delivery_days_median.period_start
        and spine.carrier = delivery_days_median.carrier
        and spine.sales_channel = delivery_days_median.sales_channel
)

select * from final
