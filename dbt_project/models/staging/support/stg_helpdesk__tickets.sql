{{ config(materialized=keyed_materialization('view'), unique_key='ticket_id', incremental_strategy='delete+insert') }}
with

source as (
    select * from {{ source('raw', 'helpdesk_tickets') }}
),

latest as (
    {{ latest_version('source', ['ticket_id'], 'updated_at') }}
),

channels as (
    select * from {{ ref('support__contact_channel_map') }}
    where source_system = 'helpdesk'
),

final as (
    select
        latest.ticket_id,
        latest.created_at,
        latest.updated_at,
        latest.ticket_status,
        coalesce(channels.contact_channel, 'unknown') as contact_channel,
        latest.channel as source_channel,
        latest.priority,
        latest.group_name,
        latest.merged_into_ticket_id,
        latest.merged_into_ticket_id is not null as is_merged,
        latest.order_id,
        {{ normalize_phone('latest.requester_phone') }} as customer_phone,
        {{ normalize_email('latest.requester_email') }} as customer_email,
        latest._partition_date,
        latest._source_file,
        latest._source_row
    from latest
    left join channels
        on latest.channel = channels.source_channel
)

select * from final
