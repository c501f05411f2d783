{#- Normalise a phone number to its national form: +84 912 345 678, 84-912-345-678 and
    0912345678 all become 0912345678. The country code is the var phone_country_code. -#}
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
