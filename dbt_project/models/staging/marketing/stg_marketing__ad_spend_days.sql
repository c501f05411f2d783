-- Ad spend per platform, campaign and day, from every ad_spend source (entities.yml), money in
-- the reporting currency.
with

campaign_days as (
    {{ union_entity_sources('ad_spend') }}
),

final as (
    select
        report_date,
        ad_platform,
        campaign_id,
        campaign_name,
        impressions,
        clicks,
        currency_code,
        currency_rate,
        spend,
        conversions as platform_conversions,
        conversion_value as platform_conversion_value,
        _source,
        _partition_date,
        _source_file,
        _source_row
    from campaign_days
)

select * from final
