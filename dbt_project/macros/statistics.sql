{#- Aggregates and ratios whose results are exact and the same on every engine and run. -#}

{#- Exact continuous percentile (linear interpolation between the two nearest values), an
    aggregate: never an approximation. -#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'cx_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- Exact median, an aggregate (the continuous 50th percentile). -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{#- Safe ratio as double: null when the denominator is 0 or null. -#}
{% macro ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{#- Mean that gives the same digits on every run: values are summed as decimals (exact), not as
    doubles, whose parallel sums depend on the order of the rows. -#}
{% macro exact_mean(expression) -%}
    cast(avg(cast({{ expression }} as decimal(18, 6))) as double)
{%- endmacro %}
