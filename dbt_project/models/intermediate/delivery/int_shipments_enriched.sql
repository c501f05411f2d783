-- One row per shipment (every shipments source) with the promise against what happened.
-- Business dates are in the business time zone; day differences are calendar days.
-- Incremental (DuckDB): a run rebuilds the shipments whose waybill, tracking events or order
-- changed since the cutoff, and replaces them by shipment_id.
{{ config(materialized=keyed_materialization('table'), unique_key='shipment_id', incremental_strategy='delete+insert') }}

with

all_waybills as (
    select * from {{ ref('stg_delivery__shipments') }}
),

orders as (
    select * from {{ ref('int_orders_summarised') }}
),

{% if is_incremental() -%}
changed_shipments as (
    select shipment_id from all_waybills where _partition_date >= {{ incremental_cutoff() }}
    union
    select shipment_id from {{ ref('stg_delivery__shipment_events') }}
    where _partition_date >= {{ incremental_cutoff() }}
    union
    select all_waybills.shipment_id
    from all_waybills
    inner join orders
        on all_waybills.order_id = orders.order_id
    where orders._partition_date >= {{ incremental_cutoff() }}
),

{% endif -%}
waybills as (
    select * from all_waybills
    {%- if is_incremental() %}
    where shipment_id in (select shipment_id from changed_shipments)
    {%- endif %}
),

tracking as (
    select
        shipment_id,
        bool_or(shipment_status = 'failed_attempt') as had_failed_attempt,
        min(case when shipment_status = 'delivered' then event_at end) as delivered_event_at,
        max(_partition_date) as _partition_date
    from {{ ref('stg_delivery__shipment_events') }}
    {%- if is_incremental() %}
    where shipment_id in (select shipment_id from changed_shipments)
    {%- endif %}
    group by shipment_id
),

joined as (
    select
        waybills.shipment_id,
        waybills.waybill_id,
        waybills.carrier,
        waybills.order_id,
        coalesce(orders.sales_channel, waybills.sales_channel, 'unknown') as sales_channel,
        -- The order's date from the sales exports, else the shipment export's own.
        coalesce(orders.ordered_date, {{ to_business_date('waybills.ordered_at') }}) as ordered_date,
        waybills.handed_over_at,
        {{ to_business_date('waybills.handed_over_at') }} as handed_over_date,
        waybills.promised_date,
        waybills.shipment_status,
        case when waybills.shipment_status = 'delivered'
            then coalesce(waybills.finished_at, tracking.delivered_event_at) end as delivered_at,
        coalesce(tracking.had_failed_attempt, false) or waybills.shipment_status = 'failed_attempt'
            as had_failed_attempt,
        waybills.shipment_status = 'returned_to_sender' as is_returned_to_sender,
        waybills.shipment_status = 'cancelled' as is_cancelled,
        waybills.cod_amount,
        waybills.shipping_fee,
        -- The newest export day behind the row (waybill, tracking, order): incremental marts
        -- rebuild the periods of shipments changed since their cutoff.
        greatest(waybills._partition_date, tracking._partition_date, orders._partition_date) as _partition_date
    from waybills
    left join tracking
        on waybills.shipment_id = tracking.shipment_id
    left join orders
        on waybills.order_id = orders.order_id
),

final as (
    select
        joined.*,
        {{ to_business_date('delivered_at') }} as delivered_date,
        delivered_at is not null as is_delivered,
        -- On time: delivered on or before the promised date (the promised date itself is on time).
        {{ to_business_date('delivered_at') }} <= promised_date as is_on_time,
        {{ dbt.datediff('promised_date', to_business_date('delivered_at'), 'day') }} as delay_days,
        {{ dbt.datediff('ordered_date', to_business_date('delivered_at'), 'day') }} as delivery_days
    from joined
)

select * from final
