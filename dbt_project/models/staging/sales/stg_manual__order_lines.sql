-- Orders taken in Facebook / Zalo chats or by phone, kept by hand in a Google Sheet.
-- The sheet has no update time: the row of the latest export day wins.
{{ config(materialized=keyed_materialization('view'), unique_key='order_line_id', incremental_strategy='delete+insert') }}
with

source as (
    select * from {{ source('raw', 'manual_orders') }}
),

latest as (
    {{ latest_version('source', ['order_id', 'sku']) }}
),

status_map as (
    select * from {{ ref('sales__order_status_map') }}
    where sales_channel = 'manual'
),

final as (
    select
        latest.order_id || '|' || latest.sku as order_line_id,
        latest.order_id,
        case latest.chat_channel
            when 'Facebook' then 'facebook'
            when 'Zalo' then 'zalo'
            else 'phone'
        end as sales_channel,
        coalesce(status_map.order_status, 'unknown') as order_status,
        latest.order_status as source_status,
        latest.ordered_at,
        latest.ordered_at as updated_at,
        latest.sku,
        latest.product_name,
        latest.quantity,
        latest.unit_price as unit_price_vnd,
        coalesce(latest.line_amount, latest.unit_price * latest.quantity) as line_amount_vnd,
        cast(0 as decimal(18, 2)) as shipping_fee_vnd,
        {{ normalize_phone('latest.customer_phone') }} as customer_phone,
        {{ normalize_email('latest.customer_email') }} as customer_email,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        latest._partition_date,
        latest._source_file,
        latest._source_row
    from latest
    left join status_map
        on latest.order_status = status_map.source_status
)

select * from final
