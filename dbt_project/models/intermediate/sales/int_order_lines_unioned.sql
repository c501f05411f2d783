-- Every order line of every sales channel in one shape, with the order's business date.
-- Incremental: the lines whose latest version arrived since the cutoff (on Spark, every order day
-- with such a line: a line keeps its order date across versions), see rows_to_rebuild.
{{ config(
    materialized='incremental',
    unique_key='order_line_id',
    incremental_strategy=incremental_strategy(),
    partition_by=incremental_partition_by('ordered_date'),
) }}

with

order_lines as (
    {% for source_model in ['stg_web__order_lines', 'stg_shopee__order_lines', 'stg_lazada__order_lines',
                            'stg_tiktok__order_lines', 'stg_pos__order_lines', 'stg_manual__order_lines'] %}
    select * from {{ ref(source_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
        unit_price_vnd,
        line_amount_vnd,
        shipping_fee_vnd,
        customer_phone,
        customer_email,
        utm_source,
        utm_medium,
        _partition_date,
        _source_file,
        _source_row
    from order_lines
)

select * from final
{% if is_incremental() %}
where {{ rows_to_rebuild('final', 'ordered_date', '_partition_date >= ' ~ incremental_cutoff()) }}
{% endif %}
