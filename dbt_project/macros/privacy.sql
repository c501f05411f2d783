{#- No personal data in the marts: pseudonyms and masked free text. -#}

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
