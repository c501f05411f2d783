{#- The exports that were expected and did not land: one row per source and business day of the
    loaded window (the first to the last export day of any source) on which the source is expected
    to deliver (seed sources__expected_deliveries, which `make manifest` writes from sources.yml:
    `expected`, `expected_from`) and meta.ingested_files has no file of it. int_periods marks every period
    that contains such a day incomplete. -#}
with

ingested_files as (
    select distinct
        source,
        partition_date
    from {{ source('meta', 'ingested_files') }}
),

expected_deliveries as (
    select * from {{ ref('sources__expected_deliveries') }}
),

loaded_window as (
    select
        min(partition_date) as first_date,
        max(partition_date) as last_date
    from ingested_files
),

days as (
    select
        business_date,
        -- ISO weekday (1 = Monday): 1900-01-01 was a Monday
        {{ dbt.datediff("cast('1900-01-01' as date)", 'business_date', 'day') }} % 7 + 1 as iso_weekday
    from ({{ days_of('loaded_window') }}) as loaded_days
),

expected_exports as (
    select
        expected_deliveries.source,
        days.business_date
    from days
    inner join expected_deliveries
        on days.iso_weekday = expected_deliveries.iso_weekday
        and (expected_deliveries.expected_from is null or days.business_date >= expected_deliveries.expected_from)
),

final as (
    select
        expected_exports.source,
        expected_exports.business_date
    from expected_exports
    left join ingested_files
        on expected_exports.source = ingested_files.source
        and expected_exports.business_date = ingested_files.partition_date
    where ingested_files.source is null
)

select * from final
