-- Order headers of the sales exports that list orders apart from their lines (entity orders),
-- latest version of each, status words mapped per source (seed sales__order_status_map).
with

orders as (
    {{ union_entity_sources('orders') }}
),

status_map as (
    select * from {{ ref('sales__order_status_map') }}
),

final as (
    select
        orders.order_id,
        orders.sales_channel,
        case when orders.order_status is not null then coalesce(status_map.order_status, 'unknown') end
            as order_status,
        orders.order_status as source_status,
        orders.ordered_at,
        coalesce(orders.updated_at, orders.ordered_at) as updated_at,
        orders.cancelled_at,
        orders.currency_code,
        orders.currency_rate,
        orders.order_total,
        orders.shipping_fee,
        orders.payment_method,
        orders.store_code,
        nullif(lower(orders.utm_source), '') as utm_source,
        nullif(lower(orders.utm_medium), '') as utm_medium,
        orders.customer_id,
        orders.customer_phone,
        orders.customer_email,
        orders._source,
        orders._partition_date,
        orders._source_file,
        orders._source_row
    from orders
    left join status_map
        on orders._source = status_map.source
        and orders.order_status = status_map.source_status
)

select * from final
