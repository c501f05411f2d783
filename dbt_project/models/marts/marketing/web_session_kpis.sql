-- Web analytics sessions per GA4 default channel group.
with

sessions as (
    select * from {{ ref('stg_marketing__web_sessions') }}
),

channels as (
    select distinct channel_group as channel from sessions
),

spine as (
    {{ period_channel_spine('channels') }}
),

sessions_in_period as (
    {{ expand_to_periods('sessions', 'session_date') }}
),

aggregated as (
    select
        period_grain,
        period_start,
        coalesce(channel_group, 'all') as channel,
        sum(sessions) as sessions,
        sum(transactions) as transactions
    from sessions_in_period
    group by grouping sets ((period_grain, period_start, channel_group), (period_grain, period_start))  -- noqa: PRS
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.channel as channel_group,
        spine.is_complete,
        cast(coalesce(aggregated.sessions, 0) as bigint) as sessions,
        cast(coalesce(aggregated.transactions, 0) as bigint) as transactions,
        {{ ratio('aggregated.transactions', 'aggregated.sessions') }} as session_conversion_rate
    from spine
    left join aggregated
        on spine.period_grain = aggregated.period_grain
        and spine.period_start = aggregated.period_start
        and spine.channel = aggregated.channel
)

select * from final
