-- Store receipts are paid and handed over at the till: status delivered.
{{ config(materialized=keyed_materialization('view'), unique_key='order_line_id', incremental_strategy='delete+insert') }}
with

source as (
    select * from {{ source('raw', 'pos_sales') }}
),

latest as (
    {{ latest_version('source', ['order_id', 'sku']) }}
),

final as (
    select
        order_id || '|' || sku as order_line_id,
        order_id,
        sales_channel,
        'delivered' as order_status,
        'paid' as source_status,
        ordered_at,
        ordered_at as updated_at,
        sku,
        product_name,
        quantity,
        unit_price as unit_price_vnd,
        coalesce(line_amount, unit_price * quantity) as line_amount_vnd,
        cast(0 as decimal(18, 2)) as shipping_fee_vnd,
        {{ normalize_phone('customer_phone') }} as customer_phone,
        cast(null as {{ dbt.type_string() }}) as customer_email,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        _partition_date,
        _source_file,
        _source_row
    from latest
)

select * from final
