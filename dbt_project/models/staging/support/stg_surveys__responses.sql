{{ config(materialized=keyed_materialization('view'), unique_key='response_id', incremental_strategy='delete+insert') }}
with

source as (
    select * from {{ source('raw', 'survey_responses') }}
),

latest as (
    {{ latest_version('source', ['response_id'], 'updated_at') }}
),

final as (
    select
        response_id,
        survey_name,
        lower(survey_type) as survey_type,
        scale_min,
        scale_max,
        score,
        nullif(trim(comment), '') as comment,
        sent_at,
        responded_at,
        score is not null and responded_at is not null as is_answered,
        coalesce(touchpoint_channel, 'unknown') as touchpoint_channel,
        ticket_id,
        order_id,
        {{ normalize_phone('respondent_phone') }} as customer_phone,
        {{ normalize_email('respondent_email') }} as customer_email,
        _partition_date,
        _source_file,
        _source_row
    from latest
)

select * from final
