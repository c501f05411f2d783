-- One row per ticket: its lifecycle read from the audit events.
--   first agent reply: the first public comment by a human agent. Bot messages (author bot) and
--     automatic acknowledgements (author system, or any comment posted via a trigger rule) are
--     not replies.
--   solved: the ticket is solved or closed now; solved_at is the last time it became solved (a
--     change from an open status into solved or closed; solved -> closed is not a new solve).
--   reopened: a change from solved or closed back to an open status.
--   escalated: a group change into a group of a higher tier (seed support__group_tiers).
--   FCR: solved with exactly one agent reply, never reopened, never escalated.
-- Merged tickets (duplicates of the ticket they were merged into) keep their row but are never
-- solved or FCR, and every KPI excludes them (is_merged).
-- Incremental: a ticket with a new version or a new event since the cutoff is recomputed whole.
{{ config(materialized='incremental', unique_key='ticket_id', incremental_strategy=incremental_strategy()) }}

with

all_tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
),

all_events as (
    select * from {{ ref('stg_helpdesk__ticket_events') }}
),

group_tiers as (
    select * from {{ ref('support__group_tiers') }}
),

{% if is_incremental() %}
changed as (
    select ticket_id from all_tickets where _partition_date >= {{ incremental_cutoff() }}
    union
    select ticket_id from all_events where _partition_date >= {{ incremental_cutoff() }}
),
{% endif %}

tickets as (
    select * from all_tickets
    {% if is_incremental() %}where ticket_id in (select ticket_id from changed){% endif %}
),

events as (
    select * from all_events
    {% if is_incremental() %}where ticket_id in (select ticket_id from changed){% endif %}
),

classified_events as (
    select
        events.ticket_id,
        events.created_at,
        events.event_type = 'comment'
        and events.author_role = 'agent'
        and events.is_public
        and coalesce(events.via, '') != 'rule' as is_agent_reply,
        events.event_type = 'status_change'
        and events.new_value in ('solved', 'closed')
        and coalesce(events.previous_value, 'new') not in ('solved', 'closed') as is_solve,
        events.event_type = 'status_change'
        and events.previous_value in ('solved', 'closed')
        and events.new_value not in ('solved', 'closed') as is_reopen,
        events.event_type = 'group_change'
        and coalesce(new_group.support_tier > previous_group.support_tier, false) as is_escalation
    from events
    left join group_tiers as previous_group
        on events.event_type = 'group_change'
        and events.previous_value = previous_group.group_name
    left join group_tiers as new_group
        on events.event_type = 'group_change'
        and events.new_value = new_group.group_name
),

lifecycle as (
    select
        ticket_id,
        min(case when is_agent_reply then created_at end) as first_agent_reply_at,
        sum(case when is_agent_reply then 1 else 0 end) as agent_interaction_count,
        max(case when is_solve then created_at end) as last_solved_at,
        sum(case when is_reopen then 1 else 0 end) as reopen_count,
        sum(case when is_escalation then 1 else 0 end) as escalation_count
    from classified_events
    group by ticket_id
),

joined as (
    select
        tickets.ticket_id,
        tickets.order_id,
        tickets.contact_channel,
        tickets.customer_phone,
        tickets.customer_email,
        tickets.created_at,
        {{ to_business_date('tickets.created_at') }} as created_date,
        tickets.ticket_status,
        tickets.is_merged,
        lifecycle.first_agent_reply_at,
        {{ seconds_between('tickets.created_at', 'lifecycle.first_agent_reply_at') }}
            as first_response_seconds,
        tickets.ticket_status in ('solved', 'closed') and not tickets.is_merged as is_solved,
        lifecycle.last_solved_at,
        coalesce(lifecycle.reopen_count, 0) as reopen_count,
        coalesce(lifecycle.escalation_count, 0) > 0 as is_escalated,
        coalesce(lifecycle.agent_interaction_count, 0) as agent_interaction_count,
        tickets._partition_date
    from tickets
    left join lifecycle
        on tickets.ticket_id = lifecycle.ticket_id
),

final as (
    select
        ticket_id,
        order_id,
        contact_channel,
        customer_phone,
        customer_email,
        created_at,
        created_date,
        ticket_status,
        is_merged,
        first_agent_reply_at,
        first_response_seconds,
        is_solved,
        case when is_solved then last_solved_at end as solved_at,
        case when is_solved then {{ to_business_date('last_solved_at') }} end as solved_date,
        reopen_count,
        reopen_count > 0 as is_reopened,
        is_escalated,
        agent_interaction_count,
        _partition_date,
        is_solved
        and agent_interaction_count = 1
        and reopen_count = 0
        and not is_escalated as is_fcr
    from joined
)

select * from final
