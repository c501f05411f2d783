{#- Keep the latest version of each record: the highest `order_by`, then the latest export day,
    then the last line of the file. `relation` is a CTE or relation name. In an incremental
    staging model (keyed_materialization), an incremental run ranks only the records with a
    row exported since the cutoff, with all their versions; the model replaces them by key. -#}
{% macro latest_version(relation, key_columns, order_by=none) -%}
    select * from (
        select
            versions.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by {% if order_by %}{{ order_by }} desc, {% endif %}_partition_date desc, _source_row desc
            ) as _version_rank
        from {{ relation }} as versions
        {%- if model.config.materialized == 'incremental' and is_incremental() %}
        where exists (
            select 1 from {{ relation }} as changed
            where changed._partition_date >= {{ incremental_cutoff() }}
            {%- for column in key_columns %}
                and changed.{{ column }} is not distinct from versions.{{ column }}
            {%- endfor %}
        )
        {%- endif %}
    ) as ranked
    where _version_rank = 1
{%- endmacro %}

{#- A Jinja value as an SQL text literal (see text_literal), or a typed null. -#}
{% macro sql_text_or_null(value) -%}
    {%- if value is none -%}cast(null as {{ dbt.type_string() }}){%- else -%}{{ text_literal(value | string) }}{%- endif -%}
{%- endmacro %}
