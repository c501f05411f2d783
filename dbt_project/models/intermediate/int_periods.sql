{#- The reporting calendar: one row per period of every grain that overlaps the business days
    of the data, from the first to the last date of any event in the warehouse (an order, a
    return, a shipment handed over or delivered, a ticket, a contact, a survey sent or answered,
    an ad or web-analytics day) or export day. A history delivered in one file covers every
    period of its events, whatever day it was exported. KPI marts join their aggregates onto
    this spine, so that a period without events still has a row (counts 0, ratios null) and
    its is_complete. -#}
with

event_days as (
    select min(ordered_date) as first_date, max(ordered_date) as last_date
    from {{ ref('int_orders_summarised') }}
    union all
    select
        min({{ to_business_date('requested_at') }}),
        max({{ to_business_date('requested_at') }})
    from {{ ref('stg_sales__returns') }}
    union all
    select min(handed_over_date), max(coalesce(delivered_date, handed_over_date))
    from {{ ref('int_shipments_enriched') }}
    union all
    select min(contacted_date), max(contacted_date)
    from {{ ref('int_contacts_unioned') }}
    union all
    select min(created_date), max(coalesce(solved_date, created_date))
    from {{ ref('int_tickets_enriched_with_events') }}
    union all
    select
        min({{ to_business_date('sent_at') }}),
        max({{ to_business_date('coalesce(responded_at, sent_at)') }})
    from {{ ref('stg_customer_service__survey_answers') }}
    union all
    select min(report_date), max(report_date)
    from {{ ref('stg_marketing__ad_spend_days') }}
    union all
    select min(session_date), max(session_date)
    from {{ ref('stg_marketing__web_sessions') }}
    union all
    select min(partition_date), max(partition_date)
    from {{ source('meta', 'ingested_files') }}
),

data_span as (
    select min(first_date) as first_date, max(last_date) as last_date
    from event_days
),

days as (
    {{ days_of('data_span') }}
),

missing_exports as (
    select distinct business_date from {{ ref('int_expected_exports_missing') }}
),

days_by_period as (
    select
        grains.period_grain,
        {{ period_start('grains.period_grain', 'days.business_date') }} as period_start,
        days.business_date
    from days
    cross join {{ grains_table() }} as grains
),

final as (
    select
        period_grain,
        period_start,
        cast({{ dbt.dateadd('day', -1, next_period_start('period_grain', 'period_start')) }} as date)
            as period_end,
        count(*) as days_covered,
        count(missing_exports.business_date) as days_missing_exports
    from days_by_period
    left join missing_exports
        on days_by_period.business_date = missing_exports.business_date
    group by period_grain, period_start
)

select
    period_grain,
    period_start,
    period_end,
    {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1 as days_in_period,
    days_covered,
    -- complete: every day of the period in the data, with every export expected on it
    days_covered = {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1
    and days_missing_exports = 0 as is_complete,
    {{ business_date_end_utc('period_end') }} as period_end_utc
from final
