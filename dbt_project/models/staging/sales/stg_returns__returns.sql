with

source as (
    select * from {{ source('raw', 'returns') }}
),

latest as (
    {{ latest_version('source', ['return_id'], 'updated_at') }}
),

final as (
    select
        return_id,
        order_id,
        sales_channel,
        sku,
        quantity as units_returned,
        requested_at,
        received_at,
        return_reason,
        coalesce(refund_amount, 0) as refund_amount_vnd,
        return_status,
        _partition_date,
        _source_file,
        _source_row
    from latest
)

select * from final
