-- One row per ticket: its lifecycle from the audit events.
-- Incremental: the tickets that have a new version or a new event since the cutoff are recomputed
-- (on Spark, every creation day with such a ticket: a ticket keeps its creation time across
-- versions), see rows_to_rebuild.
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy=incremental_strategy(),
    partition_by=incremental_partition_by('created_date'),
) }}

with

all_tickets as (
    select
        *,
        {{ to_business_date('created_at') }} as created_date
    from {{ ref('stg_customer_service__tickets') }}
),

all_events as (
    select * from {{ ref('stg_customer_service__ticket_events') }}
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
    {% if is_incremental() %}
    where {{ rows_to_rebuild('all_tickets', 'created_date', 'ticket_id in (select ticket_id from changed)') }}
    {% endif %}
),

events as (
    select * from all_events
    {% if is_incremental() %}where ticket_id in (select ticket_id from tickets){% endif %}
),

lifecycle as (
    select
        ticket_id,
        min(case when is_agent_reply then created_at end) as first_agent_reply_at,
        sum(case when is_agent_reply then 1 else 0 end) as agent_interaction_count,
        max(case when event_type = 'status_change' and new_value = 'solved' then created_at end)
            as last_solved_event_at,
        sum(case when event_type = 'status_change' and previous_value in ('solved', 'closed')
            and new_value not in ('solved', 'closed') then 1 else 0 end) as reopen_count,
        bool_or(event_type = 'group_change' and new_value like 'Tier 2%') as was_escalated,
        max(_partition_date) as _partition_date
    from events
    group by ticket_id
),

final as (
    select
        tickets.ticket_id,
        tickets.order_id,
        tickets.contact_channel,
        tickets.customer_phone,
        tickets.customer_email,
        tickets.created_at,
        tickets.created_date,
        tickets.ticket_status,
        tickets.is_merged,
        lifecycle.first_agent_reply_at,
        {{ seconds_between('tickets.created_at', 'lifecycle.first_agent_reply_at') }}
            as first_response_seconds,
        tickets.ticket_status in ('solved', 'closed') and not tickets.is_merged as is_solved,
        case when tickets.ticket_status in ('solved', 'closed') and not tickets.is_merged
            then lifecycle.last_solved_event_at end as solved_at,
        {{ to_business_date('lifecycle.last_solved_event_at') }} as solved_date,
        coalesce(lifecycle.reopen_count, 0) as reopen_count,
        coalesce(lifecycle.reopen_count, 0) > 0 as is_reopened,
        coalesce(lifecycle.was_escalated, false) or tickets.group_name like 'Tier 2%' as is_escalated,
        coalesce(lifecycle.agent_interaction_count, 0) as agent_interaction_count,
        -- The newest export day behind the row (ticket version or event): incremental marts
        -- rebuild the periods of tickets changed since their cutoff.
        greatest(tickets._partition_date, lifecycle._partition_date) as _partition_date
    from tickets
    left join lifecycle
        on tickets.ticket_id = lifecycle.ticket_id
)

select
    *,
    -- First contact resolution: solved with one agent interaction, never reopened, never escalated.
    is_solved and agent_interaction_count = 1 and not is_reopened and not is_escalated as is_fcr
from final
