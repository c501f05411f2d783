-- Parcels of every shipments source (entity shipments: carriers' waybills, an order export's
-- delivery columns), latest version of each, carrier status words mapped (seed
-- delivery__carrier_status_map), money in the reporting currency.
{{ config(materialized=keyed_materialization('view'), unique_key='shipment_id', incremental_strategy='delete+insert') }}
with

waybills as (
    {{ union_entity_sources('shipments') }}
),

status_map as (
    select * from {{ ref('delivery__carrier_status_map') }}
),

final as (
    select
        waybills.carrier || ':' || waybills.waybill_id as shipment_id,
        waybills.waybill_id,
        waybills.carrier,
        waybills.order_id,
        waybills.sales_channel,
        waybills.ordered_at,
        waybills.handed_over_at,
        waybills.promised_date,
        waybills.carrier_status,
        coalesce(status_map.shipment_status, 'unknown') as shipment_status,
        waybills.currency_code,
        waybills.currency_rate,
        waybills.cod_amount,
        waybills.shipping_fee,
        waybills.updated_at,
        waybills.finished_at,
        waybills._source,
        waybills._partition_date,
        waybills._source_file,
        waybills._source_row
    from waybills
    left join status_map
        on waybills.carrier = status_map.carrier
        and waybills.carrier_status = status_map.carrier_status
)

select * from final
