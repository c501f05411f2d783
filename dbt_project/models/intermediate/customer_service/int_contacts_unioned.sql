-- Every customer contact with its channel and, where a human answered, its first response.
-- Contacts: calls, chat sessions, and tickets opened by e-mail, web form or social messaging.
-- Chat and voice tickets are follow-ups of a chat or call already counted, so not contacts.
with

thresholds as (
    select * from {{ ref('customer_service__service_level_thresholds') }}
),

contacts as (
    select
        'call:' || call_id as contact_id,
        contact_channel,
        'call' as contact_type,
        queued_at as contacted_at,
        is_answered,
        is_abandoned,
        -- Calls offered: every call counts in the service level, answered or not.
        true as counts_for_service_level,
        case when is_answered then wait_seconds end as first_response_seconds,
        _partition_date
    from {{ ref('stg_customer_service__calls') }}
    union all
    select
        'chat:' || chat_id as contact_id,
        contact_channel,
        'chat' as contact_type,
        started_at as contacted_at,
        reached_agent as is_answered,
        false as is_abandoned,
        -- Bot-only sessions never wait for a human: they are not in the service level.
        reached_agent as counts_for_service_level,
        {{ seconds_between('started_at', 'first_agent_reply_at') }} as first_response_seconds,
        _partition_date
    from {{ ref('stg_customer_service__chats') }}
    union all
    select
        'ticket:' || ticket_id as contact_id,
        contact_channel,
        'ticket' as contact_type,
        created_at as contacted_at,
        first_agent_reply_at is not null as is_answered,
        false as is_abandoned,
        true as counts_for_service_level,
        first_response_seconds,
        _partition_date
    from {{ ref('int_tickets_enriched_with_events') }}
    where contact_channel in ('email', 'web_form', 'facebook', 'zalo')
        and not is_merged
),

final as (
    select
        contacts.*,
        {{ to_business_date('contacts.contacted_at') }} as contacted_date,
        thresholds.threshold_seconds,
        coalesce(contacts.counts_for_service_level
            and contacts.first_response_seconds <= thresholds.threshold_seconds, false) as is_within_threshold
    from contacts
    left join thresholds
        on contacts.contact_channel = thresholds.contact_channel
)

select * from final
