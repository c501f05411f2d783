{#- Keep the latest version of each record: the highest `order_by`, then the latest export day,
    then the last line of the file. `relation` is a CTE or relation name. -#}
{% macro latest_version(relation, key_columns, order_by=none) -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by {% if order_by %}{{ order_by }} desc, {% endif %}_partition_date desc, _source_row desc
            ) as _version_rank
        from {{ relation }}
    ) as ranked
    where _version_rank = 1
{%- endmacro %}

{#- A Jinja value as an SQL text literal (see text_literal), or a typed null. -#}
{% macro sql_text_or_null(value) -%}
    {%- if value is none -%}cast(null as {{ dbt.type_string() }}){%- else -%}{{ text_literal(value | string) }}{%- endif -%}
{%- endmacro %}
