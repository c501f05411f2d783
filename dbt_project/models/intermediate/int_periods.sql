{#- The reporting calendar: one row per period of every grain that overlaps the days for which
    exports were loaded. KPI marts join their aggregates onto this spine so that a period
    without events still has a row (counts 0, ratios null) and its is_complete. -#}
with

loaded_days as (
    select
        min(partition_date) as first_date,
        max(partition_date) as last_date
    from {{ source('meta', 'ingested_files') }}
),

calendar as (
    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2041-01-01' as date)") }}
),

days as (
    select cast(calendar.date_day as date) as business_date
    from calendar
    inner join loaded_days
        on cast(calendar.date_day as date) between loaded_days.first_date and loaded_days.last_date
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
    left join missing_exports on days_by_period.business_date = missing_exports.business_date
    group by period_grain, period_start
)

select
    period_grain,
    period_start,
    period_end,
    {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1 as days_in_period,
    days_covered,
    -- complete: every day of the period loaded, with every export expected on it
    days_covered = {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1
    and days_missing_exports = 0 as is_complete,
    {{ business_date_end_utc('period_end') }} as period_end_utc
from final
