with

source as (
    select * from {{ source('raw', 'chat_sessions') }}
),

latest as (
    {{ latest_version('source', ['chat_id']) }}
),

channels as (
    select * from {{ ref('support__contact_channel_map') }}
    where source_system = 'livechat'
),

final as (
    select
        latest.chat_id,
        coalesce(channels.contact_channel, 'unknown') as contact_channel,
        latest.chat_channel as source_channel,
        latest.started_at,
        latest.ended_at,
        latest.handled_by,
        latest.handled_by in ('human', 'bot_to_human') as reached_agent,
        latest.first_agent_reply_at,
        latest.bot_message_count,
        latest.agent_message_count,
        latest.visitor_message_count,
        latest.agent_id,
        {{ normalize_phone('latest.visitor_phone') }} as customer_phone,
        {{ normalize_email('latest.visitor_email') }} as customer_email,
        latest.ticket_id,
        latest._partition_date,
        latest._source_file,
        latest._source_row
    from latest
    left join channels
        on latest.chat_channel = channels.source_channel
)

select * from final
