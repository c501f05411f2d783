{#- The KPI catalogue, generated from the documentation of the mart columns: every column whose
    `meta` has a `kpi` key becomes one row, with its description as the definition. The
    definitions are written once, in the marts' YAML files. -#}
{%- set entries = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type == 'model' and node.config.schema == 'marts' -%}
            {%- set model_meta = node.config.get('meta', {}) or {} -%}
            {%- for column in node.columns.values() -%}
                {%- set meta = dict(column.get('meta', {}) or {}) -%}
                {%- do meta.update(column.get('config', {}).get('meta', {}) or {}) -%}
                {%- if meta.get('kpi') -%}
                    {%- do entries.append({
                        'kpi': meta['kpi'],
                        'mart': 'marts.' ~ node.name,
                        'column_name': column.name,
                        'channel_column': model_meta.get('channel_column'),
                        'unit': meta.get('unit'),
                        'definition': column.description,
                        'better': meta.get('better'),
                        'target': meta.get('target'),
                        'target_note': meta.get('target_note'),
                    }) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}



with

entries as (
    {%- for entry in entries %}
    select
        {{ sql_text_or_null(entry.kpi) }} as kpi,
        {{ sql_text_or_null(entry.mart) }} as mart,
        {{ sql_text_or_null(entry.column_name) }} as column_name,
        {{ sql_text_or_null(entry.channel_column) }} as channel_column,
        {{ sql_text_or_null(entry.unit) }} as unit,
        {{ sql_text_or_null(var('reporting_currency') if entry.unit == 'money' else none) }} as currency,
        {{ sql_text_or_null(entry.definition) }} as definition,
        {{ sql_text_or_null(entry.better) }} as better,
        cast({{ entry.target if entry.target is not none else 'null' }} as double) as target,
        {{ sql_text_or_null(entry.target_note) }} as target_note
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as kpi,
        cast(null as {{ dbt.type_string() }}) as mart,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as channel_column,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as {{ dbt.type_string() }}) as definition,
        cast(null as {{ dbt.type_string() }}) as better,
        cast(null as double) as target,
        cast(null as {{ dbt.type_string() }}) as target_note
    where 1 = 0
    {%- endfor %}
),

final as (
    select * from entries
)

select * from final
