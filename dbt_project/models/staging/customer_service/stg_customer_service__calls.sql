-- Call-centre call records of every calls source.
with

calls as (
    {{ union_entity_sources('calls') }}
),

final as (
    select
        call_id,
        'phone' as contact_channel,
        queue_name,
        queued_at,
        answered_at,
        ended_at,
        lower(call_status) as call_status,
        upper(call_status) = 'ANSWERED' as is_answered,
        -- The caller hung up before an answer. TIMEOUT (the system ended the wait) is not the
        -- customer's choice and is counted as unanswered, not as abandoned.
        upper(call_status) = 'ABANDONED' as is_abandoned,
        coalesce(wait_seconds, {{ seconds_between('queued_at', 'coalesce(answered_at, ended_at)') }})
            as wait_seconds,
        talk_seconds,
        agent_id,
        customer_id,
        customer_phone,
        ticket_id,
        _source,
        _partition_date,
        _source_file,
        _source_row
    from calls
)

select * from final
