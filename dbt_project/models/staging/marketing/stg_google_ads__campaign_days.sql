-- Google Ads campaign days, VND (see macros/staging_shapes.sql).
-- depends_on: {{ source('raw', 'google_ads') }}, {{ ref('common__currency_rates') }}
{{ stg_ad_campaign_days('google_ads') }}
