{{ config(materialized=keyed_materialization('view'), unique_key='order_line_id', incremental_strategy='delete+insert') }}
with

source as (
    select * from {{ source('raw', 'tiktok_orders') }}
),

latest as (
    {{ latest_version('source', ['order_id', 'sku'], 'updated_at') }}
),

status_map as (
    select * from {{ ref('sales__order_status_map') }}
),

final as (
    select
        latest.order_id || '|' || latest.sku as order_line_id,
        latest.order_id,
        latest.sales_channel,
        coalesce(status_map.order_status, 'unknown') as order_status,
        latest.order_status as source_status,
        latest.ordered_at,
        latest.updated_at,
        latest.sku,
        latest.product_name,
        latest.quantity,
        latest.unit_price as unit_price_vnd,
        coalesce(latest.line_amount, latest.unit_price * latest.quantity) as line_amount_vnd,
        latest.shipping_fee as shipping_fee_vnd,
        {{ normalize_phone('latest.customer_phone') }} as customer_phone,
        cast(null as {{ dbt.type_string() }}) as customer_email,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        latest._partition_date,
        latest._source_file,
        latest._source_row
    from latest
    left join status_map
        on latest.sales_channel = status_map.sales_channel
        and latest.order_status = status_map.source_status
)

select * from final
