-- What the scattered tools cannot show: experience against expectation, per sales channel.
-- Tickets link to orders by the order id the agent recorded; survey answers link to a delivered
-- shipment by their own order id or by their ticket's order id.
with

orders as (
    select * from {{ ref('int_orders_summarised') }}
),

tickets as (
    select * from {{ ref('int_tickets_enriched_with_events') }}
    where not is_merged
),

shipments as (
    select * from {{ ref('int_shipments_enriched') }}
    where is_delivered
),

csat_answers as (
    select
        responses.*,
        {{ to_business_date('responses.responded_at') }} as responded_date,
        -- The answer on a 0-100 scale, so that 1-5 and 1-10 surveys can be averaged together.
        100.0 * (responses.score - responses.scale_min) / (responses.scale_max - responses.scale_min)
            as score_0_100,
        coalesce(responses.order_id, tickets.order_id) as linked_order_id
    from {{ ref('stg_customer_service__survey_answers') }} as responses
    left join tickets
        on responses.ticket_id = tickets.ticket_id
    where responses.is_answered and responses.survey_type = 'csat'
),

csat_linked as (
    select
        csat_answers.*,
        shipments.sales_channel,
        shipments.is_on_time
    from csat_answers
    inner join shipments
        on csat_answers.linked_order_id = shipments.order_id
),

linked_tickets as (
    select tickets.*, orders.sales_channel
    from tickets
    inner join orders
        on tickets.order_id = orders.order_id
),

channels as (
    select distinct sales_channel as channel from orders
),

spine as (
    {{ period_channel_spine('channels') }}
),

orders_in_period as (
    {{ expand_to_periods('orders', 'ordered_date') }}
),

order_counts as (
    select period_grain, period_start, coalesce(sales_channel, 'all') as channel, count(*) as orders
    from orders_in_period
    group by grouping sets ((period_grain, period_start, sales_channel), (period_grain, period_start))  -- noqa: PRS
),

tickets_in_period as (
    {{ expand_to_periods('linked_tickets', 'created_date') }}
),

ticket_counts as (
    select period_grain, period_start, coalesce(sales_channel, 'all') as channel, count(*) as order_tickets
    from tickets_in_period
    group by grouping sets ((period_grain, period_start, sales_channel), (period_grain, period_start))  -- noqa: PRS
),

deliveries_in_period as (
    {{ expand_to_periods('shipments', 'delivered_date') }}
),

delays as (
    select
        period_grain,
        period_start,
        coalesce(sales_channel, 'all') as channel,
        count(*) as delivered_shipments,
        {{ exact_mean('delay_days') }} as delivery_delay_days_mean
    from deliveries_in_period
    group by grouping sets ((period_grain, period_start, sales_channel), (period_grain, period_start))  -- noqa: PRS
),

csat_in_period as (
    {{ expand_to_periods('csat_linked', 'responded_date') }}
),

csat as (
    select
        period_grain,
        period_start,
        coalesce(sales_channel, 'all') as channel,
        sum(case when is_on_time then 1 else 0 end) as csat_responses_on_time,
        {{ exact_mean('case when is_on_time then score_0_100 end') }} as csat_on_time_deliveries,
        sum(case when not is_on_time then 1 else 0 end) as csat_responses_late,
        {{ exact_mean('case when not is_on_time then score_0_100 end') }} as csat_late_deliveries
    from csat_in_period
    group by grouping sets ((period_grain, period_start, sales_channel), (period_grain, period_start))  -- noqa: PRS
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.channel as sales_channel,
        spine.is_complete,
        coalesce(ticket_counts.order_tickets, 0) as order_tickets,
        coalesce(order_counts.orders, 0) as orders,
        100 * {{ ratio('coalesce(ticket_counts.order_tickets, 0)', 'order_counts.orders') }} as contact_rate_per_100_orders,
        coalesce(delays.delivered_shipments, 0) as delivered_shipments,
        cast(delays.delivery_delay_days_mean as double) as delivery_delay_days_mean,
        cast(coalesce(csat.csat_responses_on_time, 0) as bigint) as csat_responses_on_time,
        cast(csat.csat_on_time_deliveries as double) as csat_on_time_deliveries,
        cast(coalesce(csat.csat_responses_late, 0) as bigint) as csat_responses_late,
        cast(csat.csat_late_deliveries as double) as csat_late_deliveries
    from spine
    left join order_counts
        on spine.period_grain = order_counts.period_grain
        and spine.period_start = order_counts.period_start
        and spine.channel = order_counts.channel
    left join ticket_counts
        on spine.period_grain = ticket_counts.period_grain
        and spine.period_start = ticket_counts.period_start
        and spine.channel = ticket_counts.channel
    left join delays
        on spine.period_grain = delays.period_grain
        and spine.period_start = delays.period_start
        and spine.channel = delays.channel
    left join csat
        on spine.period_grain = csat.period_grain
        and spine.period_start = csat.period_start
        and spine.channel = csat.channel
)

select * from final
