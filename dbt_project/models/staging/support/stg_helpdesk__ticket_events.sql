-- Helpdesk audit events (comments, status / group changes, merges), one row per event.
-- Events do not change once written; a repeated export keeps the latest copy.
with

source as (
    select * from {{ source('raw', 'helpdesk_ticket_events') }}
),

latest as (
    {{ latest_version('source', ['event_id']) }}
),

final as (
    select
        event_id,
        ticket_id,
        created_at,
        lower(event_type) as event_type,
        lower(author_role) as author_role,
        lower(via) as via,
        coalesce(is_public, false) as is_public,
        previous_value,
        new_value,
        _partition_date,
        _source_file,
        _source_row
    from latest
)

select * from final
