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

{#- A derived table with one row per grain, to cross join with events:
    `from events cross join {{ grains_table() }} as grains` -#}
{% macro grains_table() -%}
    (
        {%- for grain in period_grains() %}
        select '{{ grain }}' as period_grain{% if not loop.last %} union all{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
