-- One row per customer who bought (an order not cancelled) in a period, per sales channel and
-- over all channels ('all'), with the date of their first purchase. Counting rows counts distinct
-- customers, with no count(distinct) per grouping set; kept as a table so that sales_kpis reads
-- it, not the two years of orders expanded to every grain, in each of its counts.
with

orders as (
    select * from {{ ref('int_orders_joined_with_customers') }}
    where not is_cancelled and customer_key is not null
),

first_touch as (
    select * from {{ ref('int_customers_first_touch') }}
),

orders_in_period as (
    {{ expand_to_periods('orders', 'ordered_date') }}
),

buyers as (
    select distinct
        orders_in_period.period_grain,
        orders_in_period.period_start,
        orders_in_period.sales_channel,
        orders_in_period.customer_key,
        first_touch.first_order_date
    from orders_in_period
    inner join first_touch
        on orders_in_period.customer_key = first_touch.customer_key
),

final as (
    select period_grain, period_start, sales_channel as channel, customer_key, first_order_date
    from buyers
    union all
    select distinct period_grain, period_start, 'all', customer_key, first_order_date
    from buyers
)

select * from final
