-- Ad performance per platform and campaign, money in the reporting currency (spend in another
-- currency converted at the month's rate). Rows: each campaign; each platform (campaign_id = 'all'); all platforms ('all', 'all').
-- ROAS uses our own attributed revenue (website orders whose UTM source is the platform), which
-- has no campaign: it is published on platform and total rows, null on campaign rows.
with

ads as (
    select * from {{ ref('stg_marketing__ad_spend_days') }}
),

attributed_orders as (
    select
        ordered_date,
        case
            when utm_source = 'facebook' then 'facebook_ads'
            when utm_source = 'google' and utm_medium = 'cpc' then 'google_ads'
        end as ad_platform,
        order_amount
    from {{ ref('int_orders_summarised') }}
    where sales_channel = 'website' and not is_cancelled
),

campaigns as (
    select distinct ad_platform, campaign_id, campaign_name from ads
    union all
    select distinct ad_platform, 'all', 'all' from ads
    union all
    select 'all', 'all', 'all'
),

spine as (
    select periods.period_grain, periods.period_start, periods.is_complete, campaigns.*
    from {{ ref('int_periods') }} as periods
    cross join campaigns
),

ads_in_period as (
    {{ expand_to_periods('ads', 'report_date') }}
),

performance as (
    select
        period_grain,
        period_start,
        coalesce(ad_platform, 'all') as ad_platform,
        coalesce(campaign_id, 'all') as campaign_id,
        sum(spend) as ad_spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value) as platform_conversion_value
    from ads_in_period
    group by grouping sets (  -- noqa: PRS
        (period_grain, period_start, ad_platform, campaign_id),
        (period_grain, period_start, ad_platform),
        (period_grain, period_start)
    )
),

attributed_in_period as (
    {{ expand_to_periods('attributed_orders', 'ordered_date') }}
),

attributed as (
    select
        period_grain,
        period_start,
        coalesce(ad_platform, 'all') as ad_platform,
        sum(order_amount) as attributed_revenue
    from attributed_in_period
    where ad_platform is not null
    group by grouping sets ((period_grain, period_start, ad_platform), (period_grain, period_start))  -- noqa: PRS
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.ad_platform,
        spine.campaign_id,
        spine.campaign_name,
        spine.is_complete,
        cast(coalesce(performance.ad_spend, 0) as decimal(38, 4)) as ad_spend,
        cast(coalesce(performance.impressions, 0) as bigint) as impressions,
        cast(coalesce(performance.clicks, 0) as bigint) as clicks,
        {{ ratio('performance.clicks', 'performance.impressions') }} as ctr,
        {{ ratio('performance.ad_spend', 'performance.clicks') }} as cpc,
        1000 * {{ ratio('performance.ad_spend', 'performance.impressions') }} as cpm,
        cast(coalesce(performance.platform_conversions, 0) as double) as platform_conversions,
        cast(coalesce(performance.platform_conversion_value, 0) as decimal(38, 4))
            as platform_conversion_value,
        {{ ratio('performance.ad_spend', 'performance.platform_conversions') }}
            as cost_per_acquisition,
        case when spine.campaign_id = 'all'
            then cast(coalesce(attributed.attributed_revenue, 0) as decimal(38, 4)) end
            as attributed_revenue,
        case when spine.campaign_id = 'all'
            then {{ ratio('coalesce(attributed.attributed_revenue, 0)', 'performance.ad_spend') }} end
            as roas
    from spine
    left join performance
        on spine.period_grain = performance.period_grain
        and spine.period_start = performance.period_start
        and spine.ad_platform = performance.ad_platform
        and spine.campaign_id = performance.campaign_id
    left join attributed
        on spine.period_grain = attributed.period_grain
        and spine.period_start = attributed.period_start
        and spine.ad_platform = attributed.ad_platform
)

select * from final
