-- Helpdesk tickets, latest version of each (the export repeats a ticket every day it changes).
with

source as (
    select * from {{ source('raw', 'helpdesk_tickets') }}
),

latest as (
    {{ latest_version('source', ['ticket_id'], 'updated_at') }}
),

channel_map as (
    select
        source_channel,
        contact_channel
    from {{ ref('support__contact_channel_map') }}
    where source_system = 'helpdesk'
),

final as (
    select
        latest.ticket_id,
        latest.created_at,
        latest.updated_at,
        lower(trim(latest.ticket_status)) as ticket_status,
        -- Null when the seed lacks the source channel: the not_null test stops the build.
        channel_map.contact_channel,
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
    left join channel_map
        on latest.channel = channel_map.source_channel
)

select * from final
