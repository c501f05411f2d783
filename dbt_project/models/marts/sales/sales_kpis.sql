-- Sales, returns and loyalty per sales channel. Orders count in the period they were placed;
-- returns in the period they were requested (units_returned, refunds), and in the period of the
-- sale they return (units_sold_returned, the cohort of return_rate), which can be earlier.
-- Incremental (DuckDB): a run rebuilds the periods from the earliest date of an order, or of a
-- return or the sale it returns, changed since the cutoff (mart_rebuild_since), or of a day whose
-- buyers the run rebuilt in int_buyers_listed_per_period (identity merges change old periods'
-- customers), or all of them when a sales channel is new.
{{ config(
    materialized=mart_materialization(),
    unique_key=['period_grain', 'period_start'],
    incremental_strategy='delete+insert',
) }}
{% set since = '(select since from rebuild_since)' if is_incremental() else none %}

with

orders as (
    select * from {{ ref('int_orders_joined_with_customers') }}
),

returns as (
    select *, {{ to_business_date('requested_at') }} as requested_date
    from {{ ref('stg_sales__returns') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

-- The units sold on each line (order, sales channel, sku) of the returned orders that were not
-- cancelled, in the period of the order: what their returns can return.
sold_lines as (
    select
        orders.order_id,
        orders.sales_channel,
        order_lines.sku,
        orders.ordered_date,
        orders._partition_date,
        sum(order_lines.quantity) as units
    from orders
    inner join order_lines
        on orders.order_id = order_lines.order_id
    where not orders.is_cancelled
        and orders.order_id in (select order_id from returns)
    group by orders.order_id, orders.sales_channel, order_lines.sku, orders.ordered_date, orders._partition_date
),

-- Each return with the sale it returns. Of its units, those still on the line after the line's
-- earlier returns (by request time) are matched to the sale (ordered_date); the rest, and every
-- unit of a return whose line is not in the loaded sales (the order is older than the data or
-- was never exported, cancelled, or without that sku), are unmatched: they count in the period
-- of the request only. A unit sold is thus returned at most once, and return_rate stays <= 1.
returns_with_sales as (
    select
        returns.return_id,
        returns.sales_channel,
        returns.units_returned,
        returns.refund_amount,
        returns.requested_date,
        sold_lines.ordered_date,
        coalesce(sold_lines.units, 0) - coalesce(sum(returns.units_returned) over (
            partition by returns.order_id, returns.sales_channel, returns.sku
            order by returns.requested_at, returns.return_id
            rows between unbounded preceding and 1 preceding
        ), 0) as units_left_on_line,
        -- the newest export behind the return or its sale: either can change the match
        greatest(returns._partition_date, sold_lines._partition_date) as _partition_date
    from returns
    left join sold_lines
        on returns.order_id = sold_lines.order_id
        and returns.sales_channel = sold_lines.sales_channel
        and returns.sku = sold_lines.sku
),

returns_matched as (
    select
        *,
        least(units_returned, greatest(units_left_on_line, 0)) as units_matched
    from returns_with_sales
),

channels as (
    select distinct sales_channel as channel from orders
    union
    select distinct sales_channel from returns
),

buyer_periods as (
    select
        *,
        cast({{ next_period_start('period_grain', 'period_start') }} as date) as next_period_start
    from {{ ref('int_buyers_listed_per_period') }}
),

{% if is_incremental() %}
rebuild_since as (
    select least(
        {{ mart_rebuild_since(
            'orders', ['ordered_date'],
            new_dimensions='select channel from channels except select sales_channel from ' ~ this
        ) }},
        {{ mart_rebuild_since('returns_matched', ['requested_date', 'ordered_date']) }},
        (
            select min(period_start) from {{ ref('int_buyers_listed_per_period') }}
            where period_grain = 'day'
                and _built_at = (select max(_built_at) from {{ ref('int_buyers_listed_per_period') }})
        )
    ) as since
),
{% endif %}
buyers as (
    -- On an incremental run, the rebuilt periods and the period before each (for retention):
    -- not the buyers of every period, tens of millions of rows at scale.
    select * from buyer_periods
    {%- if since %}
    where {{ is_rebuilt_period('period_grain', 'next_period_start', since) }}
    {%- endif %}
),

spine as (
    {{ period_channel_spine('channels', since) }}
),

orders_in_period as (
    {{ expand_to_periods('orders', 'ordered_date', since) }}
),

order_counts as (
    select
        period_grain,
        period_start,
        coalesce(sales_channel, 'all') as channel,
        count(*) as orders,
        sum(case when is_cancelled then 1 else 0 end) as cancelled_orders,
        sum(case when not is_cancelled then units else 0 end) as units_sold,
        sum(order_amount) as revenue_gross,
        sum(case when is_cancelled then order_amount else 0 end) as cancelled_revenue
    from orders_in_period
    group by grouping sets ((period_grain, period_start, sales_channel), (period_grain, period_start))  -- noqa: PRS
),

returns_in_period as (
    {{ expand_to_periods('returns_matched', 'requested_date', since) }}
),

return_counts as (
    select
        period_grain,
        period_start,
        coalesce(sales_channel, 'all') as channel,
        sum(units_returned) as units_returned,
        sum(units_returned - units_matched) as units_returned_unmatched,
        sum(refund_amount) as refunds
    from returns_in_period
    group by grouping sets ((period_grain, period_start, sales_channel), (period_grain, period_start))  -- noqa: PRS
),

returns_in_sale_period as (
    {{ expand_to_periods('returns_matched', 'ordered_date', since) }}
),

sold_return_counts as (
    select
        period_grain,
        period_start,
        coalesce(sales_channel, 'all') as channel,
        sum(units_matched) as units_sold_returned
    from returns_in_sale_period
    group by grouping sets ((period_grain, period_start, sales_channel), (period_grain, period_start))  -- noqa: PRS
),

customer_counts as (
    select
        period_grain,
        period_start,
        channel,
        count(case when first_order_date >= period_start then 1 end) as new_customers,
        count(case when first_order_date < period_start then 1 end) as returning_customers
    from buyers
    {%- if since %}
    where {{ is_rebuilt_period('period_grain', 'period_start', since) }}
    {%- endif %}
    group by period_grain, period_start, channel
),

active_customers as (
    select period_grain, period_start, customer_key
    from buyers
    where channel = 'all'
    {%- if since %}
        and {{ is_rebuilt_period('period_grain', 'period_start', since) }}
    {%- endif %}
),

retention as (
    -- Customers who bought (on this channel) in the previous period, and of them those who buy
    -- again (on any channel) in this period.
    select
        previous.period_grain,
        previous.next_period_start as period_start,
        previous.channel,
        count(previous.customer_key) as previous_period_customers,
        count(active_customers.customer_key) as retained_customers
    from buyers as previous
    left join active_customers
        on previous.period_grain = active_customers.period_grain
        and previous.next_period_start = active_customers.period_start
        and previous.customer_key = active_customers.customer_key
    group by previous.period_grain, previous.next_period_start, previous.channel
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.channel as sales_channel,
        spine.is_complete,
        coalesce(order_counts.orders, 0) as orders,
        cast(coalesce(order_counts.cancelled_orders, 0) as bigint) as cancelled_orders,
        cast(coalesce(order_counts.units_sold, 0) as bigint) as units_sold,
        cast(coalesce(order_counts.revenue_gross, 0) as decimal(38, 4)) as revenue_gross,
        cast(coalesce(order_counts.cancelled_revenue, 0) as decimal(38, 4)) as cancelled_revenue,
        cast(coalesce(return_counts.refunds, 0) as decimal(38, 4)) as refunds,
        cast(coalesce(order_counts.revenue_gross, 0) - coalesce(order_counts.cancelled_revenue, 0)
            - coalesce(return_counts.refunds, 0) as decimal(38, 4)) as revenue_net,
        {{ ratio('order_counts.revenue_gross - order_counts.cancelled_revenue',
                 'order_counts.orders - order_counts.cancelled_orders') }} as average_order_value,
        cast(coalesce(return_counts.units_returned, 0) as bigint) as units_returned,
        cast(coalesce(sold_return_counts.units_sold_returned, 0) as bigint) as units_sold_returned,
        {{ ratio('coalesce(sold_return_counts.units_sold_returned, 0)', 'order_counts.units_sold') }} as return_rate,
        {{ ratio('coalesce(return_counts.units_returned, 0)', 'order_counts.units_sold') }}
            as return_rate_by_return_period,
        cast(coalesce(return_counts.units_returned_unmatched, 0) as bigint) as units_returned_unmatched,
        coalesce(retention.retained_customers, 0) as retained_customers,
        coalesce(retention.previous_period_customers, 0) as previous_period_customers,
        {{ ratio('retention.retained_customers', 'retention.previous_period_customers') }} as retention_rate,
        1 - {{ ratio('retention.retained_customers', 'retention.previous_period_customers') }} as churn_rate,
        coalesce(customer_counts.new_customers, 0) as new_customers,
        coalesce(customer_counts.returning_customers, 0) as returning_customers
    from spine
    left join order_counts
        on spine.period_grain = order_counts.period_grain
        and spine.period_start = order_counts.period_start
        and spine.channel = order_counts.channel
    left join return_counts
        on spine.period_grain = return_counts.period_grain
        and spine.period_start = return_counts.period_start
        and spine.channel = return_counts.channel
    left join sold_return_counts
        on spine.period_grain = sold_return_counts.period_grain
        and spine.period_start = sold_return_counts.period_start
        and spine.channel = sold_return_counts.channel
    left join customer_counts
        on spine.period_grain = customer_counts.period_grain
        and spine.period_start = customer_counts.period_start
        and spine.channel = customer_counts.channel
    left join retention
        on spine.period_grain = retention.period_grain
        and spine.period_start = retention.period_start
        and spine.channel = retention.channel
)

select * from final
