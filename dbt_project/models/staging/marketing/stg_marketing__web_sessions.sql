-- Web analytics sessions per day, channel group and source/medium, from every web_sessions source.
with

sessions as (
    {{ union_entity_sources('web_sessions') }}
),

final as (
    select
        session_date,
        channel_group,
        source_medium,
        sessions,
        engaged_sessions,
        transactions,
        currency_code,
        currency_rate,
        purchase_revenue,
        _source,
        _partition_date,
        _source_file,
        _source_row
    from sessions
)

select * from final
