{#- Identity resolution: every phone number and e-mail address seen in any source is linked to
    the others it appears with (in one CRM record, one order, one ticket...). Linked identifiers
    form one customer; the customer key is a pseudonym (salted SHA-256) of the smallest
    identifier of the group. Only the pair of identifiers a record carries matters, so records
    are reduced to their distinct (phone, e-mail) pairs first: millions of orders of returning
    customers become one node each. Connected components are found by a fixed number of
    label-propagation passes (portable SQL, no recursive CTE); four passes link chains of up to
    sixteen distinct pairs, far more than a person's identifiers chain in practice. -#}
{%- set passes = 4 -%}
with

records as (
    {% for model in [
        'stg_crm__customers',
        'int_orders_summarised',
        'stg_helpdesk__tickets',
        'stg_livechat__chats',
        'stg_surveys__responses',
    ] %}
    select customer_phone, customer_email
    from {{ ref(model) }}
    where customer_phone is not null or customer_email is not null
    union
    {% endfor %}
    select customer_phone, cast(null as {{ dbt.type_string() }}) as customer_email
    from {{ ref('stg_callcenter__calls') }}
    where customer_phone is not null
),

pairs as (
    select
        'phone:' || coalesce(customer_phone, '') || ' email:' || coalesce(customer_email, '') as record_id,
        customer_phone,
        customer_email
    from records
),

record_identifiers as (
    select record_id, 'phone:' || customer_phone as identifier
    from pairs
    where customer_phone is not null
    union all
    select record_id, 'email:' || customer_email as identifier
    from pairs
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
