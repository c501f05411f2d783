{#- Staging bodies shared by sources whose configuration already maps them to one canonical
    shape (sources.yml): the three carriers' waybills, the two ad platforms' campaign days. Each
    staging model stays its own file (one per source) and calls one of these. -#}

{% macro stg_carrier_waybills(source_table) %}
{{ config(materialized=keyed_materialization('view'), unique_key='shipment_id', incremental_strategy='delete+insert') }}
with

source as (
    select * from {{ source('raw', source_table) }}
),

latest as (
    {{ latest_version('source', ['waybill_id'], 'updated_at') }}
),

status_map as (
    select * from {{ ref('shipping__carrier_status_map') }}
),

final as (
    select
        latest.carrier || ':' || latest.waybill_id as shipment_id,
        latest.waybill_id,
        latest.carrier,
        latest.order_id,
        latest.created_at as handed_over_at,
        latest.promised_date,
        latest.carrier_status,
        coalesce(status_map.shipment_status, 'unknown') as shipment_status,
        latest.cod_amount as cod_amount_vnd,
        latest.shipping_fee as shipping_fee_vnd,
        latest.updated_at,
        latest.finished_at,
        latest._partition_date,
        latest._source_file,
        latest._source_row
    from latest
    left join status_map
        on latest.carrier = status_map.carrier
        and latest.carrier_status = status_map.carrier_status
)

select * from final
{% endmacro %}

{% macro stg_ad_campaign_days(source_table) %}
with

source as (
    select * from {{ source('raw', source_table) }}
),

latest as (
    {{ latest_version('source', ['report_date', 'campaign_id']) }}
),

rates as (
    select * from {{ ref('common__currency_rates') }}
),

converted as (
    select
        latest.*,
        coalesce(rates.vnd_per_unit, case when latest.currency_code = 'VND' then 1 end) as vnd_per_unit
    from latest
    left join rates
        on latest.currency_code = rates.currency_code
        and cast({{ dbt.date_trunc('month', 'latest.report_date') }} as date) = rates.month_start
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
        spend as spend_original,
        cast(spend * vnd_per_unit as decimal(18, 0)) as spend_vnd,
        conversions as platform_conversions,
        cast(conversion_value * vnd_per_unit as decimal(18, 0)) as platform_conversion_value_vnd,
        _source_file,
        _source_row
    from converted
)

select * from final
{% endmacro %}
