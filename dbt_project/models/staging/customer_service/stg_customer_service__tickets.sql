-- Helpdesk tickets of every tickets source, latest version of each; channel words mapped to
-- contact channels per source (seed customer_service__contact_channel_map).
{{ config(materialized=keyed_materialization('view'), unique_key='ticket_id', incremental_strategy='delete+insert') }}
with

tickets as (
    {{ union_entity_sources('tickets') }}
),

channels as (
    select * from {{ ref('customer_service__contact_channel_map') }}
),

final as (
    select
        tickets.ticket_id,
        tickets.created_at,
        tickets.updated_at,
        tickets.ticket_status,
        coalesce(channels.contact_channel, 'unknown') as contact_channel,
        tickets.channel as source_channel,
        tickets.priority,
        tickets.group_name,
        tickets.merged_into_ticket_id,
        tickets.merged_into_ticket_id is not null as is_merged,
        tickets.order_id,
        tickets.customer_id,
        tickets.customer_phone,
        tickets.customer_email,
        tickets._source,
        tickets._partition_date,
        tickets._source_file,
        tickets._source_row
    from tickets
    left join channels
        on tickets._source = channels.source
        and tickets.channel = channels.source_channel
)

select * from final
