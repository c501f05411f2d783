-- Live-chat sessions (website, Facebook Messenger, Zalo OA), bot and human, one row per session.
with

source as (
    select * from {{ source('raw', 'chat_sessions') }}
),

latest as (
    {{ latest_version('source', ['chat_id']) }}
),

channel_map as (
    select
        source_channel,
        contact_channel
    from {{ ref('support__contact_channel_map') }}
    where source_system = 'livechat'
),

final as (
    select
        latest.chat_id,
        -- Null when the seed lacks the source channel: the not_null test stops the build.
        channel_map.contact_channel,
        latest.chat_channel as source_channel,
        latest.started_at,
        latest.ended_at,
        lower(latest.handled_by) as handled_by,
        -- The visitor was passed to (or started with) a human agent; 'bot' sessions never were.
        lower(latest.handled_by) in ('human', 'bot_to_human') as is_agent_handled,
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
    left join channel_map
        on latest.chat_channel = channel_map.source_channel
)

select * from final
