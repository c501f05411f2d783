with

source as (
    select * from {{ source('raw', 'ga4_sessions') }}
),

latest as (
    {{ latest_version('source', ['session_date', 'channel_group', 'source_medium']) }}
),

final as (
    select
        session_date,
        channel_group,
        source_medium,
        sessions,
        engaged_sessions,
        transactions,
        purchase_revenue as purchase_revenue_vnd,
        _source_file,
        _source_row
    from latest
)

select * from final
