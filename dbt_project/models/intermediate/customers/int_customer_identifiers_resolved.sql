{#- Identity resolution: every phone number and e-mail address seen in any source is linked to
    the others it appears with (in one CRM record, one order, one ticket...). Linked identifiers
    form one customer; the customer key is a pseudonym (salted SHA-256) of the smallest
    identifier of the group. Connected components are found by a fixed number of
    label-propagation passes (portable SQL, no recursive CTE); four passes link chains of up to
    sixteen records, far more than a person's identifiers chain in practice. -#}
{%- set passes = 4 -%}
with

records as (
    {% for model, key in [
        ('stg_crm__customers', 'crm_customer_id'),
        ('int_orders_summarised', 'order_id'),
        ('stg_helpdesk__tickets', 'ticket_id'),
        ('stg_livechat__chats', 'chat_id'),
        ('stg_surveys__responses', 'response_id'),
    ] %}
    select
        '{{ model }}:' || {{ key }} as record_id,
        customer_phone,
        customer_email
    from {{ ref(model) }}
    where customer_phone is not null or customer_email is not null
    union all
    {% endfor %}
    select
        'stg_callcenter__calls:' || call_id as record_id,
        customer_phone,
        cast(null as {{ dbt.type_string() }}) as customer_email
    from {{ ref('stg_callcenter__calls') }}
    where customer_phone is not null
),

record_identifiers as (
    select record_id, 'phone:' || customer_phone as identifier
    from records
    where customer_phone is not null
    union
    select record_id, 'email:' || customer_email as identifier
    from records
    where customer_email is not null
),

labels_0 as (
    select identifier, identifier as label
    from record_identifiers
    group by identifier
),

{% for n in range(1, passes + 1) %}
record_labels_{{ n }} as (
    select record_identifiers.record_id, min(labels_{{ n - 1 }}.label) as label
    from record_identifiers
    inner join labels_{{ n - 1 }}
        on record_identifiers.identifier = labels_{{ n - 1 }}.identifier
    group by record_identifiers.record_id
),

labels_{{ n }} as (
    select record_identifiers.identifier, min(record_labels_{{ n }}.label) as label
    from record_identifiers
    inner join record_labels_{{ n }}
        on record_identifiers.record_id = record_labels_{{ n }}.record_id
    group by record_identifiers.identifier
),
{% endfor %}

final as (
    select
        identifier,
        {{ pseudonymize('label') }} as customer_key
    from labels_{{ passes }}
)

select * from final
