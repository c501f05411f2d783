-- Survey KPIs per touchpoint channel. An answer belongs to the period of its response; a sent
-- survey to the period it was sent. Scales are never mixed: CSAT means are per scale (1-5 and
-- 1-10); the satisfied rate (top two boxes) compares across scales.
-- Incremental (DuckDB): a run rebuilds the periods from the earliest date a changed survey has
-- (mart_rebuild_since), or all of them when a touchpoint channel is new.
{{ config(
    materialized=mart_materialization(),
    unique_key=['period_grain', 'period_start'],
    incremental_strategy='delete+insert',
) }}
{% set since = '(select since from rebuild_since)' if is_incremental() else none %}

with

responses as (
    select
        *,
        {{ to_business_date('sent_at') }} as sent_date,
        {{ to_business_date('responded_at') }} as responded_date
    from {{ ref('stg_customer_service__survey_answers') }}
),

channels as (
    select distinct touchpoint_channel as channel from responses
),

{% if is_incremental() %}
rebuild_since as (
    select {{ mart_rebuild_since(
        'responses', ['sent_date', 'responded_date'],
        new_dimensions='select channel from channels except select touchpoint_channel from ' ~ this
    ) }} as since
),
{% endif %}
spine as (
    {{ period_channel_spine('channels', since) }}
),

sent_in_period as (
    {{ expand_to_periods('responses', 'sent_date', since) }}
),

sent as (
    select
        period_grain,
        period_start,
        coalesce(touchpoint_channel, 'all') as channel,
        count(*) as surveys_sent,
        sum(case when is_answered then 1 else 0 end) as surveys_sent_answered
    from sent_in_period
    group by grouping sets ((period_grain, period_start, touchpoint_channel), (period_grain, period_start))  -- noqa: PRS
),

answers as (
    select * from responses
    where is_answered
),

answers_in_period as (
    {{ expand_to_periods('answers', 'responded_date', since) }}
),

answered as (
    select
        period_grain,
        period_start,
        coalesce(touchpoint_channel, 'all') as channel,
        count(*) as survey_responses,
        sum(case when survey_type = 'csat' and scale_max = 5 then 1 else 0 end) as csat_responses_5pt,
        sum(case when survey_type = 'csat' and scale_max = 5 then score else 0 end) as csat_score_total_5pt,
        sum(case when survey_type = 'csat' and scale_max = 10 then 1 else 0 end) as csat_responses_10pt,
        sum(case when survey_type = 'csat' and scale_max = 10 then score else 0 end) as csat_score_total_10pt,
        sum(case when survey_type = 'csat' then 1 else 0 end) as csat_responses,
        sum(case when survey_type = 'csat' and score >= scale_max - 1 then 1 else 0 end) as csat_satisfied,
        sum(case when survey_type = 'nps' then 1 else 0 end) as nps_responses,
        sum(case when survey_type = 'nps' and score >= 9 then 1 else 0 end) as nps_promoters,
        sum(case when survey_type = 'nps' and score <= 6 then 1 else 0 end) as nps_detractors,
        sum(case when survey_type = 'ces' then 1 else 0 end) as ces_responses,
        sum(case when survey_type = 'ces' then score else 0 end) as ces_score_total,
        sum(case when survey_type = 'ces' and score >= 5 then 1 else 0 end) as ces_easy
    from answers_in_period
    group by grouping sets ((period_grain, period_start, touchpoint_channel), (period_grain, period_start))  -- noqa: PRS
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.channel as touchpoint_channel,
        spine.is_complete,
        coalesce(answered.survey_responses, 0) as survey_responses,
        coalesce(sent.surveys_sent, 0) as surveys_sent,
        cast(coalesce(sent.surveys_sent_answered, 0) as bigint) as surveys_sent_answered,
        {{ ratio('coalesce(sent.surveys_sent_answered, 0)', 'sent.surveys_sent') }} as survey_response_rate,
        cast(coalesce(answered.csat_responses_5pt, 0) as bigint) as csat_responses_5pt,
        {{ ratio('answered.csat_score_total_5pt', 'answered.csat_responses_5pt') }} as csat_score_5pt,
        cast(coalesce(answered.csat_responses_10pt, 0) as bigint) as csat_responses_10pt,
        {{ ratio('answered.csat_score_total_10pt', 'answered.csat_responses_10pt') }} as csat_score_10pt,
        cast(coalesce(answered.csat_satisfied, 0) as bigint) as csat_satisfied,
        cast(coalesce(answered.csat_responses, 0) as bigint) as csat_responses,
        {{ ratio('answered.csat_satisfied', 'answered.csat_responses') }} as csat_satisfied_rate,
        cast(coalesce(answered.nps_promoters, 0) as bigint) as nps_promoters,
        cast(coalesce(answered.nps_detractors, 0) as bigint) as nps_detractors,
        cast(coalesce(answered.nps_responses, 0) as bigint) as nps_responses,
        {{ ratio('answered.nps_promoters', 'answered.nps_responses') }} as nps_promoter_rate,
        {{ ratio('answered.nps_detractors', 'answered.nps_responses') }} as nps_detractor_rate,
        100 * {{ ratio('answered.nps_promoters - answered.nps_detractors', 'answered.nps_responses') }} as nps,
        cast(coalesce(answered.ces_responses, 0) as bigint) as ces_responses,
        {{ ratio('answered.ces_score_total', 'answered.ces_responses') }} as ces_score,
        cast(coalesce(answered.ces_easy, 0) as bigint) as ces_easy,
        {{ ratio('answered.ces_easy', 'answered.ces_responses') }} as ces_easy_rate
    from spine
    left join sent
        on spine.period_grain = sent.period_grain
        and spine.period_start = sent.period_start
        and spine.channel = sent.channel
    left join answered
        on spine.period_grain = answered.period_grain
        and spine.period_start = answered.period_start
        and spine.channel = answered.channel
)

select * from final
