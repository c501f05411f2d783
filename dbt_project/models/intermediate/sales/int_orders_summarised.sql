-- One row per order: from its header where an export has one (entity orders), from its lines
-- where none does; its value and units from its lines (an order without lines: its header's
-- total, 0 units).
-- Incremental (DuckDB): a run re-summarises the orders with a line or header whose latest version
-- arrived since the cutoff, from all their lines, and replaces them by order_id.
{{ config(materialized=keyed_materialization('table'), unique_key='order_id', incremental_strategy='delete+insert') }}

with

{% if is_incremental() -%}
changed_orders as (
    select order_id from {{ ref('int_order_lines_enriched') }}
    where _partition_date >= {{ incremental_cutoff() }}
    union
    select order_id from {{ ref('stg_sales__orders') }}
    where _partition_date >= {{ incremental_cutoff() }}
),

{% endif -%}
lines as (
    select * from {{ ref('int_order_lines_enriched') }}
    {%- if is_incremental() %}
    where order_id in (select order_id from changed_orders)
    {%- endif %}
),

headers as (
    select * from {{ ref('stg_sales__orders') }}
    {%- if is_incremental() %}
    where order_id in (select order_id from changed_orders)
    {%- endif %}
),

line_orders as (
    select
        order_id,
        min(sales_channel) as sales_channel,
        min(ordered_at) as ordered_at,
        bool_or(is_cancelled) as is_cancelled,
        sum(quantity) as units,
        sum(line_amount) as order_amount,
        max(shipping_fee) as shipping_fee,
        max(payment_method) as payment_method,
        max(store_code) as store_code,
        max(customer_id) as customer_id,
        max(customer_phone) as customer_phone,
        max(customer_email) as customer_email,
        max(utm_source) as utm_source,
        max(utm_medium) as utm_medium,
        max(_partition_date) as _partition_date
    from lines
    group by order_id
),

joined as (
    select
        coalesce(headers.order_id, line_orders.order_id) as order_id,
        coalesce(headers.sales_channel, line_orders.sales_channel) as sales_channel,
        coalesce(headers.ordered_at, line_orders.ordered_at) as ordered_at,
        coalesce(headers.order_status in ('cancelled', 'failed'), line_orders.is_cancelled, false) as is_cancelled,
        coalesce(line_orders.units, 0) as units,
        coalesce(line_orders.order_amount, headers.order_total, 0) as order_amount,
        coalesce(headers.shipping_fee, line_orders.shipping_fee) as shipping_fee,
        coalesce(headers.payment_method, line_orders.payment_method) as payment_method,
        coalesce(headers.store_code, line_orders.store_code) as store_code,
        coalesce(headers.customer_id, line_orders.customer_id) as customer_id,
        coalesce(headers.customer_phone, line_orders.customer_phone) as customer_phone,
        coalesce(headers.customer_email, line_orders.customer_email) as customer_email,
        coalesce(headers.utm_source, line_orders.utm_source) as utm_source,
        coalesce(headers.utm_medium, line_orders.utm_medium) as utm_medium,
        greatest(headers._partition_date, line_orders._partition_date) as _partition_date
    from headers
    full outer join line_orders
        on headers.order_id = line_orders.order_id
),

final as (
    select
        order_id,
        sales_channel,
        ordered_at,
        {{ to_business_date('ordered_at') }} as ordered_date,
        is_cancelled,
        units,
        order_amount,
        shipping_fee,
        payment_method,
        store_code,
        customer_id,
        customer_phone,
        customer_email,
        utm_source,
        utm_medium,
        _partition_date
    from joined
)

select * from final
