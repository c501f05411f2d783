-- Returns and refunds of every returns export (entity returns), latest version of each.
with

returns as (
    {{ union_entity_sources('returns') }}
),

final as (
    select
        return_id,
        order_id,
        sales_channel,
        sku,
        coalesce(quantity, 1) as units_returned,
        requested_at,
        received_at,
        coalesce(updated_at, requested_at) as updated_at,
        return_reason,
        return_status,
        currency_code,
        currency_rate,
        coalesce(refund_amount, 0) as refund_amount,
        _source,
        _partition_date,
        _source_file,
        _source_row
    from returns
)

select * from final
