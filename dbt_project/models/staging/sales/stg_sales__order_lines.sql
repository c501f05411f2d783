-- Order lines of every sales export (entity order_lines), latest version of each, in one shape:
-- status words mapped per source (seed sales__order_status_map), phones and e-mails normalised,
-- money in the reporting currency. A line without a status or order date takes its order
-- header's (int_order_lines_enriched).
{{ config(materialized=keyed_materialization('view'), unique_key='order_line_id', incremental_strategy='delete+insert') }}
with

lines as (
    {{ union_entity_sources('order_lines') }}
),

status_map as (
    select * from {{ ref('sales__order_status_map') }}
),

final as (
    select
        coalesce(
            lines.order_line_id,
            lines.order_id || '|' || coalesce(cast(lines.line_number as {{ dbt.type_string() }}), lines.sku)
        ) as order_line_id,
        lines.order_id,
        lines.sales_channel,
        case when lines.order_status is not null then coalesce(status_map.order_status, 'unknown') end
            as order_status,
        lines.order_status as source_status,
        lines.ordered_at,
        coalesce(lines.updated_at, lines.ordered_at) as updated_at,
        lines.cancelled_at,
        lines.sku,
        lines.product_name,
        coalesce(lines.quantity, 1) as quantity,
        lines.currency_code,
        lines.currency_rate,
        lines.unit_price,
        coalesce(lines.line_amount, lines.unit_price * coalesce(lines.quantity, 1)) as line_amount,
        lines.discount_amount,
        lines.shipping_fee,
        lines.payment_method,
        lines.store_code,
        nullif(lower(lines.utm_source), '') as utm_source,
        nullif(lower(lines.utm_medium), '') as utm_medium,
        lines.customer_id,
        lines.customer_phone,
        lines.customer_email,
        lines._source,
        lines._partition_date,
        lines._source_file,
        lines._source_row
    from lines
    left join status_map
        on lines._source = status_map.source
        and lines.order_status = status_map.source_status
)

select * from final
