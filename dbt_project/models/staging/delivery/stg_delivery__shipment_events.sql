-- Carrier tracking events of every shipment_events source, carrier status words mapped.
{{ config(materialized=keyed_materialization('view'), unique_key=['carrier', 'waybill_id', 'carrier_status', 'event_at'], incremental_strategy='delete+insert') }}
with

events as (
    {{ union_entity_sources('shipment_events') }}
),

status_map as (
    select * from {{ ref('delivery__carrier_status_map') }}
),

final as (
    select
        events.carrier || ':' || events.waybill_id as shipment_id,
        events.carrier,
        events.waybill_id,
        events.carrier_status,
        coalesce(status_map.shipment_status, 'unknown') as shipment_status,
        events.event_at,
        events.location,
        events.note,
        events._source,
        events._partition_date,
        events._source_file,
        events._source_row
    from events
    left join status_map
        on events.carrier = status_map.carrier
        and events.carrier_status = status_map.carrier_status
)

select * from final
