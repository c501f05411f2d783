with

source as (
    select * from {{ source('raw', 'call_records') }}
),

latest as (
    {{ latest_version('source', ['call_id']) }}
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
        call_status = 'ANSWERED' as is_answered,
        -- The caller hung up before an answer. TIMEOUT (the system ended the wait) is not the
        -- customer's choice and is counted as unanswered, not as abandoned.
        call_status = 'ABANDONED' as is_abandoned,
        coalesce(wait_seconds, {{ seconds_between('queued_at', 'coalesce(answered_at, ended_at)') }})
            as wait_seconds,
        talk_seconds,
        agent_id,
        {{ normalize_phone('caller_phone') }} as customer_phone,
        ticket_id,
        _partition_date,
        _source_file,
        _source_row
    from latest
)

select * from final
