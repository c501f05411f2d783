{#- The period grains every KPI mart is published at. -#}
{% macro period_grains() -%}
    {{ return(['day', 'week', 'month', 'quarter', 'year']) }}
{%- endmacro %}

{#- Start date of the period of `grain_column` (a column holding day|week|month|quarter|year)
    that contains `date_column`. Weeks are ISO weeks starting on Monday. -#}
{% macro period_start(grain_column, date_column) -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then cast({{ dbt.date_trunc(grain, date_column) }} as date)
        {%- endfor %}
    end
{%- endmacro %}

{#- The first day after the period of `grain_column` that starts on `start_column`. -#}
{% macro next_period_start(grain_column, start_column) -%}
    case {{ grain_column }}
        when 'day' then {{ dbt.dateadd('day', 1, start_column) }}
        when 'week' then {{ dbt.dateadd('day', 7, start_column) }}
        when 'month' then {{ dbt.dateadd('month', 1, start_column) }}
        when 'quarter' then {{ dbt.dateadd('month', 3, start_column) }}
        when 'year' then {{ dbt.dateadd('year', 1, start_column) }}
    end
{%- endmacro %}

{#- A derived table with one row per grain, to cross join with events:
    `from events cross join {{ grains_table() }} as grains` -#}
{% macro grains_table() -%}
    (
        {%- for grain in period_grains() %}
        select '{{ grain }}' as period_grain{% if not loop.last %} union all{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#- Rows of `relation` repeated once per grain, with the start of the period of `date_column`
    they fall in: aggregate them by (period_grain, period_start) and every grain is computed
    from the events themselves, never from daily figures. -#}
{% macro expand_to_periods(relation, date_column, since=none) -%}
    select
        grains.period_grain,
        {{ period_start('grains.period_grain', 'events.' ~ date_column) }} as period_start,
        events.*
    from {{ relation }} as events
    cross join {{ grains_table() }} as grains
    where events.{{ date_column }} is not null
    {%- if since %}
        -- the events of the periods being rebuilt (an ISO week can start in the year before)
        and events.{{ date_column }} >= least(
            cast({{ dbt.date_trunc('week', since) }} as date), cast({{ dbt.date_trunc('year', since) }} as date)
        )
        and {{ is_rebuilt_period('grains.period_grain', period_start('grains.period_grain', 'events.' ~ date_column), since) }}
    {%- endif %}
{%- endmacro %}

{#- True for a period a mart run rebuilds: one that contains or follows the date `since` (SQL),
    see mart_rebuild_since. -#}
{% macro is_rebuilt_period(grain_column, start_column, since) -%}
    {{ start_column }} >= {{ period_start(grain_column, since) }}
{%- endmacro %}

{#- The reporting spine of a mart: every period of every grain (with int_periods' days_covered,
    is_complete and period_end_utc) times every channel of `channels_relation` (a relation or CTE
    with a column `channel`) plus the total 'all'; with `since`, only the periods an incremental
    run rebuilds. -#}
{% macro period_channel_spine(channels_relation, since=none) -%}
    select
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.days_covered,
        periods.is_complete,
        periods.period_end_utc,
        channels.channel
    from {{ ref('int_periods') }} as periods
    cross join (
        select channel from {{ channels_relation }}
        union
        select 'all' as channel
    ) as channels
    {%- if since %}
    where {{ is_rebuilt_period('periods.period_grain', 'periods.period_start', since) }}
    {%- endif %}
{%- endmacro %}

{#- One row per day (`business_date`) from first_date to last_date of `span` (a CTE or relation
    of one row with those columns): the calendar of int_periods and of the expected exports. -#}
{% macro days_of(span) -%}
    select cast(calendar.date_day as date) as business_date
    from ({{ dbt.date_spine('day', "cast('1970-01-01' as date)", "cast('2100-01-01' as date)") }}) as calendar
    inner join {{ span }} as span
        on cast(calendar.date_day as date) between span.first_date and span.last_date
{%- endmacro %}
