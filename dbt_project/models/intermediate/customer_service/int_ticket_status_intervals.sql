-- Each ticket's statuses over time: one row per status with the instant it started and the
-- instant the next status replaced it (null while current). A ticket is open at instant T when
-- it was created at or before T and its status at T is neither solved nor closed; a reopened
-- ticket is open again from its reopening.
with

tickets as (
    select * from {{ ref('stg_customer_service__tickets') }}
    where not is_merged
),

changes as (
    select ticket_id, created_at as valid_from, new_value as ticket_status
    from {{ ref('stg_customer_service__ticket_events') }}
    where event_type = 'status_change'
),

starts as (
    select ticket_id, created_at as valid_from, 'new' as ticket_status
    from tickets
    union all
    select changes.ticket_id, changes.valid_from, changes.ticket_status
    from changes
    inner join tickets
        on changes.ticket_id = tickets.ticket_id
),

final as (
    select
        starts.ticket_id,
        tickets.contact_channel,
        starts.ticket_status,
        starts.ticket_status not in ('solved', 'closed') as is_open,
        starts.valid_from,
        lead(starts.valid_from) over (partition by starts.ticket_id order by starts.valid_from) as valid_to
    from starts
    inner join tickets
        on starts.ticket_id = tickets.ticket_id
)

select * from final
