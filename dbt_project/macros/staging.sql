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

{#- The rows of every source of a canonical entity (orchestration/entities.yml; the sources are
    listed by the generated macro canonical_sources), latest version of each record, in the
    entity's columns and types: a column a source does not have is null; the source's words
    are mapped (sources.yml `values`); phone numbers and e-mails are normalised (identity.sql) and
    customer ids namespaced by the source's customer_namespace; money is converted to the reporting currency (var reporting_currency)
    at the rate of its month (seed common__currency_rates; `currency_rate` is null when the seed
    has no rate: a data test fails then). `_source` names the raw table of each row. An entity
    without sources gives no rows. -#}
{% macro union_entity_sources(entity_name) -%}
    {%- set entity = canonical_entity(entity_name) -%}
    {%- set has_money = entity.columns | selectattr('money') | list | length > 0 -%}
    {%- set reporting = text_literal(var('reporting_currency')) -%}
    {%- for src in canonical_sources(entity_name) %}
    {%- set currency = 'coalesce(versions.currency_code, ' ~ reporting ~ ')' if 'currency_code' in src.columns else reporting -%}
    {%- set same_currency = currency ~ ' = ' ~ reporting %}
    {#- the month of the rate: of the entity's money_date, else (or where it is empty) the export day -#}
    {%- set money_date = 'coalesce(versions.' ~ entity.money_date ~ ', versions._partition_date)'
        if entity.money_date in src.columns else 'versions._partition_date' %}
    select
        {{ text_literal(src.name) }} as _source,
        {%- for column in entity.columns %}
        {%- set value = 'versions.' ~ column.name -%}
        {%- if column.name not in src.columns %}
        cast(null as {{ canonical_type(column.type) }}) as {{ column.name }},
        {%- elif column.name == 'currency_code' %}
        {{ currency }} as currency_code,
        {%- elif column.money %}
        cast(case when {{ same_currency }} then {{ value }}
            else cast({{ value }} as {{ money_type() }}) * rates.rate end as {{ money_type() }}) as {{ column.name }},
        {%- elif column.name in src['values'] %}
        case {{ value }}
            {%- for word, canonical in src['values'][column.name].items() %}
            when {{ text_literal(word) }} then {{ text_literal(canonical) }}
            {%- endfor %}
            else {{ value }}
        end as {{ column.name }},
        {%- elif column.name == 'customer_phone' %}
        {{ normalize_phone(value) }} as customer_phone,
        {%- elif column.name == 'customer_email' %}
        {{ normalize_email(value) }} as customer_email,
        {%- elif column.name in ('customer_id', 'customer_account_id') %}
        {{ text_literal(src.customer_namespace ~ ('.account' if column.name == 'customer_account_id' else '') ~ ':') }}
            || cast({{ value }} as {{ dbt.type_string() }}) as {{ column.name }},
        {%- else %}
        cast({{ value }} as {{ canonical_type(column.type) }}) as {{ column.name }},
        {%- endif %}
        {%- endfor %}
        {%- if has_money %}
        case when {{ same_currency }} then 1 else rates.rate end as currency_rate,
        {%- endif %}
        versions._partition_date,
        versions._source_file,
        versions._source_row
    from (
        {{ latest_version(source('raw', src.name), src.primary_key, src.version_column or none) }}
    ) as versions
    {%- if has_money %}
    left join {{ ref('common__currency_rates') }} as rates
        on rates.reporting_currency = {{ reporting }}
        and rates.currency_code = {{ currency }}
        and rates.month_start = cast({{ dbt.date_trunc('month', money_date) }} as date)
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as _source,
        {%- for column in entity.columns %}
        cast(null as {{ canonical_type(column.type) }}) as {{ column.name }},
        {%- endfor %}
        {%- if has_money %}
        cast(null as decimal(18, 6)) as currency_rate,
        {%- endif %}
        cast(null as date) as _partition_date,
        cast(null as {{ dbt.type_string() }}) as _source_file,
        cast(null as bigint) as _source_row
    where 1 = 0
    {%- endfor %}
{%- endmacro %}

{#- The SQL type of a canonical column type (entities.yml). -#}
{% macro canonical_type(column_type) -%}
    {{ return({
        'text': dbt.type_string(),
        'integer': 'bigint',
        'decimal': 'decimal(18, 6)',
        'date': 'date',
        'timestamp': dbt.type_timestamp(),
        'boolean': 'boolean',
    }[column_type]) }}
{%- endmacro %}

{#- Money, in the reporting currency: every ISO 4217 currency's minor units (up to 4) and totals
    of any size. (One type for every currency, not the currency's own scale: dbt renders a
    column's declared type without the project's macros or rendered vars.) -#}
{% macro money_type() -%}
    decimal(38, 4)
{%- endmacro %}

{#- A Jinja string as an SQL text literal. -#}
{% macro text_literal(text) -%}
    {{ return(adapter.dispatch('text_literal', 'cx_warehouse')(text)) }}
{%- endmacro %}

{% macro default__text_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{#- Spark escapes with backslashes ('a''b' would be the two literals 'a' 'b', read as 'ab'). -#}
{% macro spark__text_literal(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
