{{ config(materialized=keyed_materialization('view'), unique_key=['carrier', 'waybill_id', 'carrier_status', 'event_at'], incremental_strategy='delete+insert') }}
with

source as (
    select * from {{ source('raw', 'tracking_events') }}
),

latest as (
    {{ latest_version('source', ['carrier', 'waybill_id', 'carrier_status', 'event_at']) }}
),

status_map as (
    select * from {{ ref('shipping__carrier_status_map') }}
),

final as (
    select
        latest.carrier || ':' || latest.waybill_id as shipment_id,
        latest.carrier,
        latest.waybill_id,
        latest.carrier_status,
        coalesce(status_map.shipment_status, 'unknown') as shipment_status,
        latest.event_at,
        latest.location,
        latest.note,
        latest._partition_date,
        latest._source_file,
        latest._source_row
    from latest
    left join status_map
        on latest.carrier = status_map.carrier
        and latest.carrier_status = status_map.carrier_status
)

select * from final
