-- NPS of customers grouped by the marketing channel that first brought them (first touch).
-- An NPS answer is linked to its customer by phone, else e-mail, after identity resolution.
with

answers as (
    select
        responses.*,
        {{ to_business_date('responses.responded_at') }} as responded_date
    from {{ ref('stg_customer_service__survey_answers') }} as responses
    where responses.is_answered and responses.survey_type = 'nps'
),

identifiers as (
    select * from {{ ref('int_customer_identifiers_resolved') }}
),

first_touch as (
    select * from {{ ref('int_customers_first_touch') }}
),

linked as (
    select
        answers.*,
        coalesce(first_touch.acquisition_channel, 'unknown') as acquisition_channel
    from answers
    left join identifiers as by_phone
        on by_phone.identifier = 'phone:' || answers.customer_phone
    left join identifiers as by_email
        on by_email.identifier = 'email:' || answers.customer_email
    left join first_touch
        on first_touch.customer_key = coalesce(by_phone.customer_key, by_email.customer_key)
),

channels as (
    select distinct acquisition_channel as channel from linked
),

spine as (
    {{ period_channel_spine('channels') }}
),

answers_in_period as (
    {{ expand_to_periods('linked', 'responded_date') }}
),

aggregated as (
    select
        period_grain,
        period_start,
        coalesce(acquisition_channel, 'all') as channel,
        count(*) as nps_responses,
        sum(case when score >= 9 then 1 else 0 end) as nps_promoters,
        sum(case when score <= 6 then 1 else 0 end) as nps_detractors
    from answers_in_period
    group by grouping sets ((period_grain, period_start, acquisition_channel), (period_grain, period_start))  -- noqa: PRS
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.channel as acquisition_channel,
        spine.is_complete,
        cast(coalesce(aggregated.nps_promoters, 0) as bigint) as nps_promoters,
        cast(coalesce(aggregated.nps_detractors, 0) as bigint) as nps_detractors,
        cast(coalesce(aggregated.nps_responses, 0) as bigint) as nps_responses,
        100 * {{ ratio('aggregated.nps_promoters - aggregated.nps_detractors', 'aggregated.nps_responses') }}
            as nps_by_acquisition_channel
    from spine
    left join aggregated
        on spine.period_grain = aggregated.period_grain
        and spine.period_start = aggregated.period_start
        and spine.channel = aggregated.channel
)

select * from final
