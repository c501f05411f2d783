-- Every order line with what its order header adds (entity orders: exports that list orders
-- apart from their lines): the order date, status and customer where the line has none; the
-- order's business date; whether it is a sale.
-- Incremental: the lines whose latest version, or whose header, arrived since the cutoff (on
-- Spark, every order day with such a line: a line keeps its order date across versions), see
-- rows_to_rebuild.
{{ config(
    materialized='incremental',
    unique_key='order_line_id',
    incremental_strategy=incremental_strategy(),
    partition_by=incremental_partition_by('ordered_date'),
) }}

with

lines as (
    select * from {{ ref('stg_sales__order_lines') }}
),

headers as (
    select * from {{ ref('stg_sales__orders') }}
),

joined as (
    select
        lines.order_line_id,
        lines.order_id,
        lines.sales_channel,
        coalesce(lines.order_status, headers.order_status, 'unknown') as order_status,
        coalesce(lines.ordered_at, headers.ordered_at) as ordered_at,
        lines.updated_at,
        lines.sku,
        lines.product_name,
        lines.quantity,
        lines.unit_price,
        lines.line_amount,
        coalesce(lines.shipping_fee, headers.shipping_fee) as shipping_fee,
        coalesce(lines.payment_method, headers.payment_method) as payment_method,
        coalesce(lines.store_code, headers.store_code) as store_code,
        coalesce(lines.customer_id, headers.customer_id) as customer_id,
        coalesce(lines.customer_phone, headers.customer_phone) as customer_phone,
        coalesce(lines.customer_email, headers.customer_email) as customer_email,
        coalesce(lines.utm_source, headers.utm_source) as utm_source,
        coalesce(lines.utm_medium, headers.utm_medium) as utm_medium,
        greatest(lines._partition_date, headers._partition_date) as _partition_date,
        lines._source_file,
        lines._source_row
    from lines
    left join headers
        on lines.sales_channel = headers.sales_channel
        and lines.order_id = headers.order_id
),

final as (
    select
        order_line_id,
        order_id,
        sales_channel,
        order_status,
        -- Cancelled before shipping, or failed and sent back: not a sale.
        order_status in ('cancelled', 'failed') as is_cancelled,
        ordered_at,
        {{ to_business_date('ordered_at') }} as ordered_date,
        updated_at,
        sku,
        product_name,
        quantity,
        unit_price,
        line_amount,
        shipping_fee,
        payment_method,
        store_code,
        customer_id,
        customer_phone,
        customer_email,
        utm_source,
        utm_medium,
        _partition_date,
        _source_file,
        _source_row
    from joined
)

select * from final
{% if is_incremental() %}
where {{ rows_to_rebuild('final', 'ordered_date', '_partition_date >= ' ~ incremental_cutoff()) }}
{% endif %}
