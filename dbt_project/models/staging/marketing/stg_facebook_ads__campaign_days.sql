with

source as (
    select * from {{ source('raw', 'facebook_ads') }}
),

latest as (
    {{ latest_version('source', ['report_date', 'campaign_id']) }}
),

rates as (
    select * from {{ ref('common__currency_rates') }}
),

final as (
    select
        latest.report_date,
        latest.ad_platform,
        latest.campaign_id,
        latest.campaign_name,
        latest.impressions,
        latest.clicks,
        latest.currency_code,
        latest.spend as spend_original,
        cast(latest.spend * coalesce(rates.vnd_per_unit, case when latest.currency_code = 'VND' then 1 end)
            as decimal(18, 0)) as spend_vnd,
        latest.conversions as platform_conversions,
        cast(latest.conversion_value
            * coalesce(rates.vnd_per_unit, case when latest.currency_code = 'VND' then 1 end)
            as decimal(18, 0)) as platform_conversion_value_vnd,
        latest._source_file,
        latest._source_row
    from latest
    left join rates
        on latest.currency_code = rates.currency_code
        and cast({{ dbt.date_trunc('month', 'latest.report_date') }} as date) = rates.month_start
)

select * from final
