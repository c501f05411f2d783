{#- Identity resolution: every identifier of a customer seen in any source (phone number, e-mail
    address, a system's customer or account id, namespaced by the system: customer_identifier_columns)
    is linked to the others it appears with (in one CRM record, one order, one ticket...). Linked
    identifiers form one customer; the customer key is a pseudonym (salted SHA-256) of the smallest
    identifier of the group. Only the identifiers a record carries together matter, so records
    are reduced to their distinct combinations first: millions of orders of returning
    customers become one node each. Connected components are found by a fixed number of
    label-propagation passes (portable SQL, no recursive CTE): each pass carries the smallest
    label one pair further, so four passes join a customer whose identifiers chain through up to
    four pairs. _partition_date is the newest export day of any record of the customer.

    Incremental (DuckDB): a run reads only the identifiers of records exported since the cutoff.
    Each stored customer such a record touches enters the graph as one node, labelled with its smallest
    identifier; the run re-keys every identifier of those customers and of the new records, and
    replaces them by identifier. Customers only merge: a link that disappears (a record's phone
    corrected) does not split a stored customer until a full refresh. -#}
{{ config(materialized=keyed_materialization('table'), unique_key='identifier', incremental_strategy='delete+insert') }}
{%- set passes = 4 -%}
with

records as (
    {%- set identifiers = customer_identifier_columns() %}
    {% for model, columns in [
        ('stg_sales__customers', ['customer_phone', 'customer_email', 'customer_id', 'customer_account_id']),
        ('int_orders_summarised', ['customer_phone', 'customer_email', 'customer_id']),
        ('stg_customer_service__tickets', ['customer_phone', 'customer_email', 'customer_id']),
        ('stg_customer_service__chats', ['customer_phone', 'customer_email', 'customer_id']),
        ('stg_customer_service__survey_answers', ['customer_phone', 'customer_email', 'customer_id']),
        ('stg_customer_service__calls', ['customer_phone', 'customer_id']),
    ] %}
    select
        {%- for column in identifiers %}
        {{ column if column in columns else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as {{ column }},
        {%- endfor %}
        _partition_date
    from {{ ref(model) }}
    where ({{ columns | join(' is not null or ') }} is not null)
    {%- if is_incremental() %}
        and _partition_date >= {{ incremental_cutoff() }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- The distinct combinations of identifiers the records carry: millions of orders of returning
-- customers become one node each.
combinations as (
    select
        {% for column, prefix in identifiers.items() -%}
        {{ text_literal(prefix) }} || coalesce({{ column }}, '') {% if not loop.last %}|| ' ' || {% endif %}
        {%- endfor %} as record_id,
        {{ identifiers | join(', ') }},
        max(_partition_date) as _partition_date
    from records
    group by {{ identifiers | join(', ') }}
),

record_identifiers as (
    {%- for column, prefix in identifiers.items() %}
    select record_id, {{ text_literal(prefix) }} || {{ column }} as identifier, _partition_date
    from combinations
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

{# The nodes of the graph and the identifiers behind each: on a full build every identifier is
    a node of its own; on an incremental run every stored customer touched by a new pair is one
    node, 'customer:' || its key, and the identifiers the table does not hold yet are their own. -#}
{% if is_incremental() %}
touched_members as (
    select identifier, 'customer:' || customer_key as node, _partition_date
    from {{ this }}
    where customer_key in (
        select customer_key from {{ this }}
        where identifier in (select identifier from record_identifiers)
    )
),

node_members as (
    select
        identifier,
        coalesce(min(node), identifier) as node,
        max(_partition_date) as _partition_date
    from (
        select identifier, node, _partition_date from touched_members
        union all
        select identifier, cast(null as {{ dbt.type_string() }}) as node, _partition_date
        from record_identifiers
    ) as members
    group by identifier
),
{%- else %}
node_members as (
    select identifier, identifier as node, max(_partition_date) as _partition_date
    from record_identifiers
    group by identifier
),
{%- endif %}

record_nodes as (
    select distinct record_identifiers.record_id, node_members.node
    from record_identifiers
    inner join node_members
        on record_identifiers.identifier = node_members.identifier
),

labels_0 as (
    select node, min(identifier) as label
    from node_members
    group by node
),

{% for n in range(1, passes + 1) %}
record_labels_{{ n }} as (
    select record_nodes.record_id, min(labels_{{ n - 1 }}.label) as label
    from record_nodes
    inner join labels_{{ n - 1 }}
        on record_nodes.node = labels_{{ n - 1 }}.node
    group by record_nodes.record_id
),

labels_{{ n }} as (
    select record_nodes.node, min(record_labels_{{ n }}.label) as label
    from record_nodes
    inner join record_labels_{{ n }}
        on record_nodes.record_id = record_labels_{{ n }}.record_id
    group by record_nodes.node
),
{% endfor %}

final as (
    select
        node_members.identifier,
        {{ pseudonymize('labels_' ~ passes ~ '.label') }} as customer_key,
        max(node_members._partition_date) over (partition by labels_{{ passes }}.label) as _partition_date
    from node_members
    inner join labels_{{ passes }}
        on node_members.node = labels_{{ passes }}.node
)

select * from final
