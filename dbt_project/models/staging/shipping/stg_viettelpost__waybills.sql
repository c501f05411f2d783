with

source as (
    select * from {{ source('raw', 'viettelpost_waybills') }}
),

latest as (
    {{ latest_version('source', ['waybill_id'], 'updated_at') }}
),

status_map as (
    select * from {{ ref('shipping__carrier_status_map') }}
),

final as (
    select
        latest.carrier || ':' || latest.waybill_id as shipment_id,
        latest.waybill_id,
        latest.carrier,
        latest.order_id,
        latest.created_at as handed_over_at,
        latest.promised_date,
        latest.carrier_status,
        coalesce(status_map.shipment_status, 'unknown') as shipment_status,
        latest.cod_amount as cod_amount_vnd,
        latest.shipping_fee as shipping_fee_vnd,
        latest.updated_at,
        latest.finished_at,
        latest._source_file,
        latest._source_row
    from latest
    left join status_map
        on latest.carrier = status_map.carrier
        and latest.carrier_status = status_map.carrier_status
)

select * from final
