-- Per customer: the first purchase across all channels, and the marketing channel that first
-- brought them (the CRM lead source; else the UTM source of their first website order; else
-- walk_in for store-only customers, else unknown).
with

orders as (
    select * from {{ ref('int_orders_joined_with_customers') }}
    where customer_key is not null
),

crm as (
    select * from {{ ref('stg_sales__customers') }}
),

identifiers as (
    select * from {{ ref('int_customer_identifiers_resolved') }}
),

channel_map as (
    select * from {{ ref('marketing__acquisition_channel_map') }}
),

crm_keyed as (
    select
        identifiers.customer_key,
        min(crm.lead_source) as lead_source
    from crm
    inner join identifiers
        on identifiers.identifier = {{ customer_identifier('crm', ['customer_phone', 'customer_email', 'customer_id']) }}
    where crm.lead_source is not null
    group by identifiers.customer_key
),

first_orders as (
    select
        customer_key,
        ordered_at as first_order_at,
        ordered_date as first_order_date,
        sales_channel as first_order_channel,
        utm_source as first_utm_source
    from orders
    where is_first_order
),

final as (
    select
        first_orders.customer_key,
        first_orders.first_order_at,
        first_orders.first_order_date,
        first_orders.first_order_channel,
        coalesce(
            by_lead.acquisition_channel,
            by_utm.acquisition_channel,
            case when first_orders.first_order_channel = 'store' then 'walk_in' end,
            'unknown'
        ) as acquisition_channel
    from first_orders
    left join crm_keyed
        on first_orders.customer_key = crm_keyed.customer_key
    left join channel_map as by_lead
        on by_lead.source_kind = 'lead_source' and crm_keyed.lead_source = by_lead.source_value
    left join channel_map as by_utm
        on by_utm.source_kind = 'utm_source' and first_orders.first_utm_source = by_utm.source_value
)

select * from final
