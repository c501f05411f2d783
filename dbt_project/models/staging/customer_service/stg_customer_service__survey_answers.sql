-- Survey invitations and answers of every survey_answers source, latest version of each.
{{ config(materialized=keyed_materialization('view'), unique_key='response_id', incremental_strategy='delete+insert') }}
with

answers as (
    {{ union_entity_sources('survey_answers') }}
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
        customer_id,
        customer_phone,
        customer_email,
        _source,
        _partition_date,
        _source_file,
        _source_row
    from answers
)

select * from final
