-- Call-centre call detail records (timestamps converted to UTC at ingestion), one row per call.
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
        -- Every call is a phone contact: no vocabulary to map.
        'phone' as contact_channel,
        queue_name,
        queued_at,
        answered_at,
        ended_at,
        lower(call_status) as call_status,
        call_status = 'ANSWERED' as is_answered,
        -- Abandoned: the caller hung up before an answer. TIMEOUT (the system ended the wait)
        -- was not the caller's choice: unanswered, but not abandoned.
        call_status = 'ABANDONED' as is_abandoned,
        call_status = 'TIMEOUT' as is_timed_out,
        -- Seconds in the queue until answered or ended, as exported (computed when missing).
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
