-- Live-chat sessions of every chats source; channel words mapped to contact channels per source
-- (seed customer_service__contact_channel_map).
with

chats as (
    {{ union_entity_sources('chats') }}
),

channels as (
    select * from {{ ref('customer_service__contact_channel_map') }}
),

final as (
    select
        chats.chat_id,
        coalesce(channels.contact_channel, 'unknown') as contact_channel,
        chats.channel as source_channel,
        chats.started_at,
        chats.ended_at,
        chats.handled_by,
        chats.handled_by in ('human', 'bot_to_human') as reached_agent,
        chats.first_agent_reply_at,
        chats.bot_message_count,
        chats.agent_message_count,
        chats.visitor_message_count,
        chats.agent_id,
        chats.customer_id,
        chats.customer_phone,
        chats.customer_email,
        chats.ticket_id,
        chats._source,
        chats._partition_date,
        chats._source_file,
        chats._source_row
    from chats
    left join channels
        on chats._source = channels.source
        and chats.channel = channels.source_channel
)

select * from final
