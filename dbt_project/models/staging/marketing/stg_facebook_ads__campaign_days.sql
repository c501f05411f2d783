-- Facebook Ads campaign days, spend converted from USD (see macros/staging_shapes.sql).
-- depends_on: {{ source('raw', 'facebook_ads') }}, {{ ref('common__currency_rates') }}
{{ stg_ad_campaign_days('facebook_ads') }}
