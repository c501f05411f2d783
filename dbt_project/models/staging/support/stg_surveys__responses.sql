-- Survey invitations and answers (CSAT, NPS, CES), latest version of each: an invitation is
-- exported when sent and again, updated, when answered.
with

source as (
    select * from {{ source('raw', 'survey_responses') }}
),

latest as (
    {{ latest_version('source', ['response_id'], 'updated_at') }}
),

channel_map as (
    select * from {{ ref('support__touchpoint_channel_map') }}
),

final as (
    select
        latest.response_id,
        latest.survey_name,
        lower(latest.survey_type) as survey_type,
        latest.scale_min,
        latest.scale_max,
        latest.score,
        nullif(trim(latest.comment), '') as comment,
        latest.sent_at,
        latest.responded_at,
        latest.score is not null and latest.responded_at is not null as is_answered,
        -- 'unknown' when the export has no channel; null (rejected by the not_null test) when the
        -- seed lacks the channel written.
        case
            when latest.touchpoint_channel is null then 'unknown'
            else channel_map.touchpoint_channel
        end as touchpoint_channel,
        latest.touchpoint_channel as source_channel,
        latest.ticket_id,
        latest.order_id,
        {{ normalize_phone('latest.respondent_phone') }} as customer_phone,
        {{ normalize_email('latest.respondent_email') }} as customer_email,
        latest.updated_at,
        latest._partition_date,
        latest._source_file,
        latest._source_row
    from latest
    left join channel_map
        on latest.touchpoint_channel = channel_map.source_channel
)

select * from final
