-- The customers' own words: every answered survey with a comment, with its score and context.
with

responses as (
    select * from {{ ref('stg_customer_service__survey_answers') }}
    where is_answered and comment is not null
),

final as (
    select
        response_id,
        {{ to_business_date('responded_at') }} as responded_date,
        survey_type,
        score,
        scale_min,
        scale_max,
        case
            when survey_type = 'nps' and score >= 9 then 'promoter'
            when survey_type = 'nps' and score >= 7 then 'passive'
            when survey_type = 'nps' then 'detractor'
            when survey_type = 'csat' and score >= scale_max - 1 then 'satisfied'
            when survey_type = 'ces' and score >= 5 then 'satisfied'
            when survey_type = 'ces' and score = 4 then 'neutral'
            when survey_type = 'csat' and score = scale_max - 2 then 'neutral'
            else 'dissatisfied'
        end as sentiment,
        touchpoint_channel,
        {{ redact_contact_details('comment') }} as comment,
        ticket_id,
        order_id
    from responses
)

select * from final
