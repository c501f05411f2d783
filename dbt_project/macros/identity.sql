{#- Normalise a phone number to its national form: with country code 84 (var phone_country_code),
    +84 912 345 678, 84-912-345-678 and 0912345678 all become 0912345678. -#}
{% macro normalize_phone(expression) -%}
    {%- set cc = var('phone_country_code') -%}
    {%- set digits = digits_only(expression) -%}
    case
        when {{ digits }} = '' then null
        when {{ digits }} like '{{ cc }}%' and length({{ digits }}) between 11 and 12
            then '0' || substr({{ digits }}, {{ cc | length + 1 }})
        else {{ digits }}
    end
{%- endmacro %}

{#- Normalise an e-mail address: trimmed, lower case, empty -> null. -#}
{% macro normalize_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}

{#- The columns that identify a customer, in any entity that has them, and the prefix of each in
    the identity graph (int_customer_identifiers_resolved): phone numbers and e-mails are global;
    customer ids are already namespaced by their source system in staging ('shopee:buyer7'). -#}
{% macro customer_identifier_columns() -%}
    {{ return({'customer_phone': 'phone:', 'customer_email': 'email:', 'customer_id': 'id:', 'customer_account_id': 'id:'}) }}
{%- endmacro %}

{#- One identifier of the record `alias` (columns: those of customer_identifier_columns it has):
    every identifier of a record belongs to the same customer, so any one finds its key. -#}
{% macro customer_identifier(alias, columns=['customer_phone', 'customer_email', 'customer_id']) -%}
    coalesce(
        {%- for column in columns %}
        {{ text_literal(customer_identifier_columns()[column]) }} || {{ alias }}.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
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
