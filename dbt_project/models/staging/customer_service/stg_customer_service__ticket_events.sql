-- Ticket audit events of every ticket_events source.
{{ config(materialized=keyed_materialization('view'), unique_key='event_id', incremental_strategy='delete+insert') }}
with

events as (
    {{ union_entity_sources('ticket_events') }}
),

final as (
    select
        event_id,
        ticket_id,
        created_at,
        event_type,
        author_role,
        via,
        coalesce(is_public, false) as is_public,
        previous_value,
        new_value,
        -- A reply that counts as a response: a public comment by a human agent. Bot messages and
        -- automatic acknowledgements (system author, via a trigger rule) do not count.
        event_type = 'comment' and author_role = 'agent' and coalesce(is_public, false)
            as is_agent_reply,
        _source,
        _partition_date,
        _source_file,
        _source_row
    from events
)

select * from final
