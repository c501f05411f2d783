-- Every customer contact, one row each, with its channel, its first human response and its
-- service-level verdict. Contacts: calls, chat sessions (bot and human), and tickets opened by
-- e-mail, web form, Facebook or Zalo. Chat and voice tickets follow a chat or call already
-- counted, so they are not contacts again (they still count as tickets); merged tickets are not
-- contacts.
--
-- Service level (seed support__service_level_thresholds): a contact is answered within the
-- threshold when its first response takes at most threshold_seconds (<=). First response:
-- calls answered_at - queued_at; chats first agent reply - started_at; tickets creation to the
-- first agent reply. Contacts counted (the denominator): every call offered (answered, abandoned
-- or timed out) except calls abandoned within the threshold (the caller hung up before the
-- centre had missed the target); chats taken by a human (bot-only chats are not in the service
-- level); every ticket contact (one without a reply yet is not within the threshold).
with

calls as (
    select * from {{ ref('stg_callcenter__calls') }}
),

chats as (
    select * from {{ ref('stg_livechat__chats') }}
),

tickets as (
    select * from {{ ref('int_tickets_enriched_with_events') }}
    where not is_merged
        and contact_channel in ('email', 'web_form', 'facebook', 'zalo')
),

thresholds as (
    select * from {{ ref('support__service_level_thresholds') }}
),

contacts as (
    select
        'call:' || call_id as contact_id,
        contact_channel,
        'call' as contact_type,
        queued_at as contacted_at,
        true as is_agent_requested,
        is_answered,
        is_abandoned,
        {{ seconds_between('queued_at', 'answered_at') }} as first_response_seconds,
        case when is_abandoned then wait_seconds end as abandoned_after_seconds
    from calls
    union all
    select
        'chat:' || chat_id as contact_id,
        contact_channel,
        'chat' as contact_type,
        started_at as contacted_at,
        is_agent_handled as is_agent_requested,
        first_agent_reply_at is not null as is_answered,
        false as is_abandoned,
        {{ seconds_between('started_at', 'first_agent_reply_at') }} as first_response_seconds,
        cast(null as double) as abandoned_after_seconds
    from chats
    union all
    select
        'ticket:' || ticket_id as contact_id,
        contact_channel,
        'ticket' as contact_type,
        created_at as contacted_at,
        true as is_agent_requested,
        first_agent_reply_at is not null as is_answered,
        false as is_abandoned,
        first_response_seconds,
        cast(null as double) as abandoned_after_seconds
    from tickets
),

judged as (
    select
        contacts.*,
        {{ to_business_date('contacts.contacted_at') }} as contacted_date,
        thresholds.threshold_seconds,
        contacts.is_agent_requested
        and not coalesce(contacts.abandoned_after_seconds <= thresholds.threshold_seconds, false)
            as counts_for_service_level
    from contacts
    left join thresholds
        on contacts.contact_channel = thresholds.contact_channel
),

final as (
    select
        *,
        counts_for_service_level
        and coalesce(first_response_seconds <= threshold_seconds, false) as is_within_threshold
    from judged
)

select * from final
