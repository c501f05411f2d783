-- Incremental (DuckDB): a run rebuilds the periods from the earliest date a changed ticket or
-- contact has (mart_rebuild_since; a ticket's backlog intervals start at its creation), or all of
-- them when a contact channel is new.
{{ config(
    materialized=mart_materialization(),
    unique_key=['period_grain', 'period_start'],
    incremental_strategy='delete+insert',
) }}
{% set since = '(select since from rebuild_since)' if is_incremental() else none %}

with

all_tickets as (
    select * from {{ ref('int_tickets_enriched_with_events') }}
),

tickets as (
    select * from all_tickets
    where not is_merged
),

contacts as (
    select * from {{ ref('int_contacts_unioned') }}
),

intervals as (
    select * from {{ ref('int_ticket_status_intervals') }}
),

channels as (
    select distinct contact_channel as channel from contacts
    union
    select distinct contact_channel from tickets
),

{% if is_incremental() %}
rebuild_since as (
    select least(
        {{ mart_rebuild_since('all_tickets', ['created_date', 'solved_date']) }},
        {{ mart_rebuild_since(
            'contacts', ['contacted_date'],
            new_dimensions='select channel from channels except select contact_channel from ' ~ this
        ) }}
    ) as since
),
{% endif %}
spine as (
    {{ period_channel_spine('channels', since) }}
),

tickets_created_in_period as (
    {{ expand_to_periods('tickets', 'created_date', since) }}
),

created as (
    select
        period_grain,
        period_start,
        coalesce(contact_channel, 'all') as channel,
        count(*) as tickets_created,
        sum(case when is_escalated then 1 else 0 end) as escalated_tickets,
        count(first_response_seconds) as first_responses,
        {{ exact_mean('first_response_seconds') }} as first_response_mean_seconds,
        {{ median('first_response_seconds') }} as first_response_median_seconds,
        {{ percentile('first_response_seconds', 0.9) }} as first_response_p90_seconds
    from tickets_created_in_period
    group by grouping sets ((period_grain, period_start, contact_channel), (period_grain, period_start))  -- noqa: PRS
),

tickets_solved_in_period as (
    {{ expand_to_periods('tickets', 'solved_date', since) }}
),

solved as (
    select
        period_grain,
        period_start,
        coalesce(contact_channel, 'all') as channel,
        sum(case when is_solved then 1 else 0 end) as solved_tickets,
        sum(case when is_fcr then 1 else 0 end) as fcr_tickets,
        sum(case when is_solved then agent_interaction_count else 0 end) as agent_interactions,
        {{ exact_mean("case when is_solved then " ~ seconds_between('created_at', 'solved_at') ~ " / 3600.0 end") }}
            as resolution_time_mean_hours,
        {{ median("case when is_solved then " ~ seconds_between('created_at', 'solved_at') ~ " / 3600.0 end") }}
            as resolution_time_median_hours
    from tickets_solved_in_period
    where is_solved
    group by grouping sets ((period_grain, period_start, contact_channel), (period_grain, period_start))  -- noqa: PRS
),

contacts_in_period as (
    {{ expand_to_periods('contacts', 'contacted_date', since) }}
),

contact_counts as (
    select
        period_grain,
        period_start,
        coalesce(contact_channel, 'all') as channel,
        count(*) as contacts,
        sum(case when contact_type = 'ticket' and contact_channel = 'email' then 1 else 0 end) as email_volume,
        sum(case when contact_type = 'call' then 1 else 0 end) as call_volume,
        sum(case when contact_type = 'chat' and is_answered then 1 else 0 end) as chat_volume,
        sum(case when contact_type = 'chat' then 1 else 0 end) as chat_sessions,
        sum(case when is_abandoned then 1 else 0 end) as calls_abandoned,
        sum(case when counts_for_service_level then 1 else 0 end) as service_level_contacts,
        sum(case when is_within_threshold then 1 else 0 end) as answered_within_threshold,
        {{ exact_mean('first_response_seconds - threshold_seconds') }} as first_response_gap_seconds
    from contacts_in_period
    group by grouping sets ((period_grain, period_start, contact_channel), (period_grain, period_start))  -- noqa: PRS
),

backlog as (
    select
        spine.period_grain,
        spine.period_start,
        coalesce(intervals.contact_channel, 'all') as channel,
        count(*) as backlog_open_tickets
    from intervals
    inner join (select distinct period_grain, period_start, period_end_utc from spine) as spine
        on intervals.valid_from < spine.period_end_utc
        and (intervals.valid_to is null or intervals.valid_to >= spine.period_end_utc)
    where intervals.is_open
    group by grouping sets (  -- noqa: PRS
        (spine.period_grain, spine.period_start, intervals.contact_channel),
        (spine.period_grain, spine.period_start)
    )
),

period_totals as (
    select period_grain, period_start, contacts as all_contacts
    from contact_counts
    where channel = 'all'
),

final as (
    select
        spine.period_grain,
        cast(spine.period_start as date) as period_start,
        spine.channel as contact_channel,
        spine.days_covered,
        spine.is_complete,
        coalesce(created.tickets_created, 0) as tickets_created,
        {{ ratio('coalesce(created.tickets_created, 0)', 'spine.days_covered') }} as tickets_per_day,
        coalesce(backlog.backlog_open_tickets, 0) as backlog_open_tickets,
        coalesce(created.first_responses, 0) as first_responses,
        cast(created.first_response_mean_seconds as double) as first_response_mean_seconds,
        cast(created.first_response_median_seconds as double) as first_response_median_seconds,
        cast(created.first_response_p90_seconds as double) as first_response_p90_seconds,
        cast(coalesce(contact_counts.answered_within_threshold, 0) as bigint) as answered_within_threshold,
        cast(coalesce(contact_counts.service_level_contacts, 0) as bigint) as service_level_contacts,
        {{ ratio('contact_counts.answered_within_threshold', 'contact_counts.service_level_contacts') }}
            as service_level_rate,
        cast(coalesce(solved.fcr_tickets, 0) as bigint) as fcr_tickets,
        cast(coalesce(solved.solved_tickets, 0) as bigint) as solved_tickets,
        {{ ratio('solved.fcr_tickets', 'solved.solved_tickets') }} as fcr_rate,
        cast(solved.resolution_time_mean_hours as double) as resolution_time_mean_hours,
        cast(solved.resolution_time_median_hours as double) as resolution_time_median_hours,
        cast(coalesce(solved.agent_interactions, 0) as bigint) as agent_interactions,
        {{ ratio('solved.agent_interactions', 'solved.solved_tickets') }} as interactions_per_ticket,
        coalesce(contact_counts.contacts, 0) as contacts,
        coalesce(period_totals.all_contacts, 0) as all_contacts,
        {{ ratio('coalesce(contact_counts.contacts, 0)', 'period_totals.all_contacts') }} as contact_share,
        cast(coalesce(created.escalated_tickets, 0) as bigint) as escalated_tickets,
        {{ ratio('created.escalated_tickets', 'created.tickets_created') }} as escalation_rate,
        cast(coalesce(contact_counts.email_volume, 0) as bigint) as email_volume,
        cast(coalesce(contact_counts.call_volume, 0) as bigint) as call_volume,
        cast(coalesce(contact_counts.chat_volume, 0) as bigint) as chat_volume,
        cast(coalesce(contact_counts.chat_sessions, 0) as bigint) as chat_sessions,
        cast(coalesce(contact_counts.calls_abandoned, 0) as bigint) as calls_abandoned,
        cast(contact_counts.first_response_gap_seconds as double) as first_response_gap_seconds
    from spine
    left join created
        on spine.period_grain = created.period_grain
        and spine.period_start = created.period_start
        and spine.channel = created.channel
    left join solved
        on spine.period_grain = solved.period_grain
        and spine.period_start = solved.period_start
        and spine.channel = solved.channel
    left join contact_counts
        on spine.period_grain = contact_counts.period_grain
        and spine.period_start = contact_counts.period_start
        and spine.channel = contact_counts.channel
    left join backlog
        on spine.period_grain = backlog.period_grain
        and spine.period_start = backlog.period_start
        and spine.channel = backlog.channel
    left join period_totals
        on spine.period_grain = period_totals.period_grain
        and spine.period_start = period_totals.period_start
)

select * from final
