-- Each ticket's statuses over time: one row per status with the instant it started (valid_from)
-- and the instant the next status replaced it (valid_to, exclusive; null while current). A
-- ticket is new from its creation, then takes the value of each status change in turn. It is in
-- the backlog at instant T when an open interval holds T: valid_from < T <= valid_to (or no
-- valid_to), so created at or before T and not solved or closed at T; a reopened ticket is open
-- again from its reopening. Merged tickets are left out, as from every KPI.
with

tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where not is_merged
),

status_changes as (
    select * from {{ ref('stg_helpdesk__ticket_events') }}
    where event_type = 'status_change'
),

status_starts as (
    select
        ticket_id,
        created_at as valid_from,
        'new' as ticket_status,
        -- Creation sorts before a change made in the same second.
        cast(null as {{ dbt.type_string() }}) as event_id
    from tickets
    union all
    select
        status_changes.ticket_id,
        status_changes.created_at as valid_from,
        status_changes.new_value as ticket_status,
        status_changes.event_id
    from status_changes
    inner join tickets
        on status_changes.ticket_id = tickets.ticket_id
),

sequenced as (
    select
        ticket_id,
        ticket_status,
        valid_from,
        row_number() over (
            partition by ticket_id
            order by valid_from, case when event_id is null then 0 else 1 end, event_id
        ) as status_sequence
    from status_starts
),

final as (
    select
        sequenced.ticket_id,
        tickets.contact_channel,
        sequenced.status_sequence,
        sequenced.ticket_status,
        sequenced.ticket_status not in ('solved', 'closed') as is_open,
        sequenced.valid_from,
        lead(sequenced.valid_from) over (
            partition by sequenced.ticket_id order by sequenced.status_sequence
        ) as valid_to
    from sequenced
    inner join tickets
        on sequenced.ticket_id = tickets.ticket_id
)

select * from final
