{#- Engine-specific SQL lives here and only here, behind adapter.dispatch.
    Every macro has a DuckDB (default) and a Spark implementation. -#}

{#- The business-day date of a UTC timestamp. -#}
{% macro to_business_date(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_business_date', 'cx_warehouse')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_business_date(utc_timestamp) -%}
    cast(timezone('{{ var("business_timezone") }}', timezone('UTC', {{ utc_timestamp }})) as date)
{%- endmacro %}

{% macro spark__to_business_date(utc_timestamp) -%}
    to_date(from_utc_timestamp({{ utc_timestamp }}, '{{ var("business_timezone") }}'))
{%- endmacro %}

{#- The UTC instant at which a business date ends (exclusive bound: next midnight, local). -#}
{% macro business_date_end_utc(business_date) -%}
    {{ return(adapter.dispatch('business_date_end_utc', 'cx_warehouse')(business_date)) }}
{%- endmacro %}

{% macro default__business_date_end_utc(business_date) -%}
    timezone('UTC', timezone('{{ var("business_timezone") }}', cast({{ business_date }} as timestamp) + interval 1 day))
{%- endmacro %}

{% macro spark__business_date_end_utc(business_date) -%}
    to_utc_timestamp(cast(date_add({{ business_date }}, 1) as timestamp), '{{ var("business_timezone") }}')
{%- endmacro %}

{#- Seconds between two timestamps, fractional. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'cx_warehouse')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}

{% macro spark__seconds_between(start_ts, end_ts) -%}
    (cast(unix_micros({{ end_ts }}) - unix_micros({{ start_ts }}) as double) / 1000000)
{%- endmacro %}

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

{#- One-way pseudonym (hex SHA-256 of a salted value). The salt (CX_PSEUDONYM_SALT) is a session
    variable set by the plugin orchestration/lib/dbt_secrets.py, so it never appears in compiled SQL,
    target/ or dbt's logs. -#}
{% macro pseudonymize(expression) -%}
    {{ return(adapter.dispatch('pseudonymize', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__pseudonymize(expression) -%}
    case when {{ expression }} is not null
        then sha256(
            coalesce(getvariable('cx_pseudonym_salt'), error('cx_pseudonym_salt is not set: see orchestration/lib/dbt_secrets.py'))
            || {{ expression }}
        ) end
{%- endmacro %}

{#- Spark substitutes ${spark.cx.pseudonym_salt} from the session's configuration when it reads the
    statement (profiles.yml, target spark: server_side_parameters). An unset one becomes '' (or
    stays as written when substitution is off): an error here, not silently wrong keys. -#}
{% macro spark__pseudonymize(expression) -%}
    case when {{ expression }} is not null
        then sha2(concat(
            if('${spark.cx.pseudonym_salt}' in ('', concat('$', '{spark.cx.pseudonym_salt}')),
                raise_error('spark.cx.pseudonym_salt is not set: see the spark target in profiles.yml'),
                '${spark.cx.pseudonym_salt}'),
            {{ expression }}
        ), 256) end
{%- endmacro %}

{#- Keep only digits. -#}
{% macro digits_only(expression) -%}
    {{ return(adapter.dispatch('digits_only', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '', 'g')
{%- endmacro %}

{% macro spark__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '')
{%- endmacro %}

{#- Free text with phone numbers and e-mail addresses masked ([phone], [email]): customers type
    them into comments, and no contact detail may reach a mart. A phone number starts with the
    country code (var phone_country_code, with or without +) or the trunk prefix 0, then 8 to 11
    digits, spaces, dots, dashes or an area code in parentheses between them; amounts such as
    1.250.000 are kept. -#}
{% macro redact_contact_details(expression) -%}
    {{ return(adapter.dispatch('redact_contact_details', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__redact_contact_details(expression) -%}
    regexp_replace(
        regexp_replace({{ expression }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '[email]', 'g'),
        '(\+?{{ var("phone_country_code") }}|0)[ .-]?\(?[1-9][0-9]?\)?([ .-]?[0-9]){6,9}', '[phone]', 'g'
    )
{%- endmacro %}

{% macro spark__redact_contact_details(expression) -%}
    regexp_replace(
        regexp_replace({{ expression }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}', '[email]'),
        '(\\+?{{ var("phone_country_code") }}|0)[ .-]?\\(?[1-9][0-9]?\\)?([ .-]?[0-9]){6,9}', '[phone]'
    )
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
