-- One row per order: its value, units and identifiers, from its lines.
-- Incremental (DuckDB): a run re-summarises the orders with a line whose latest version arrived
-- since the cutoff, from all their lines, and replaces them by order_id.
{{ config(materialized=keyed_materialization('table'), unique_key='order_id', incremental_strategy='delete+insert') }}

with

order_lines as (
    select * from {{ ref('int_order_lines_unioned') }}
    {%- if is_incremental() %}
    where order_id in (
        select order_id from {{ ref('int_order_lines_unioned') }}
        where _partition_date >= {{ incremental_cutoff() }}
    )
    {%- endif %}
),

final as (
    select
        order_id,
        min(sales_channel) as sales_channel,
        min(ordered_at) as ordered_at,
        min(ordered_date) as ordered_date,
        bool_or(is_cancelled) as is_cancelled,
        sum(quantity) as units,
        sum(line_amount_vnd) as order_amount_vnd,
        max(shipping_fee_vnd) as shipping_fee_vnd,
        max(customer_phone) as customer_phone,
        max(customer_email) as customer_email,
        max(utm_source) as utm_source,
        max(utm_medium) as utm_medium,
        max(_partition_date) as _partition_date
    from order_lines
    group by order_id
)

select * from final
