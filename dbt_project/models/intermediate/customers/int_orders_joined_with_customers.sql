-- Orders with the pseudonymous customer key (by any of their identifiers) and whether the order is
-- the customer's first purchase across all channels.
-- Incremental (DuckDB): a run re-keys every order of the customers that can have changed: those
-- whose identifiers identity resolution re-keyed since the cutoff (every identifier of a touched
-- customer is re-keyed, so all their orders are found), and the customers an order re-summarised
-- since the cutoff belonged to before (its phone may have changed). Of those it replaces (by
-- order_id) only the orders re-summarised since the cutoff and those whose customer key or
-- first-order flag changed: a customer touched by a new ticket has many orders, most unchanged.
{{ config(materialized=keyed_materialization('table'), unique_key='order_id', incremental_strategy='delete+insert') }}
with

identifiers as (
    select * from {{ ref('int_customer_identifiers_resolved') }}
),

{% if is_incremental() -%}
rekeyed_identifiers as (
    select identifier from identifiers where _partition_date >= {{ incremental_cutoff() }}
),

-- The customers that the orders re-summarised since the cutoff had in the table.
previous_customers as (
    select customer_key from {{ this }}
    where order_id in (
        select order_id from {{ ref('int_orders_summarised') }}
        where _partition_date >= {{ incremental_cutoff() }}
    )
),

{% endif -%}
orders as (
    -- the alias is read on incremental runs only, which sqlfluff does not render
    select * from {{ ref('int_orders_summarised') }} as summarised  -- noqa: AL05
    {%- if is_incremental() %}
    where _partition_date >= {{ incremental_cutoff() }}
        or {{ customer_identifier('summarised') }} in (select identifier from rekeyed_identifiers)
        or order_id in (
            select order_id from {{ this }}
            where customer_key in (select customer_key from previous_customers)
        )
    {%- endif %}
),

keyed as (
    select
        orders.*,
        identifiers.customer_key
    from orders
    left join identifiers
        on identifiers.identifier = {{ customer_identifier('orders') }}
),

-- A customer's first order: the earliest, the smallest order_id among orders placed at the same
-- moment (ordered_at is required in every source). Two aggregations, not a window: the window
-- would sort every column of the orders by customer.
first_ordered_at as (
    select customer_key, min(ordered_at) as ordered_at
    from keyed
    where customer_key is not null
    group by customer_key
),

first_orders as (
    select keyed.customer_key, min(keyed.order_id) as order_id
    from keyed
    inner join first_ordered_at
        on keyed.customer_key = first_ordered_at.customer_key
        and keyed.ordered_at = first_ordered_at.ordered_at
    group by keyed.customer_key
),

final as (
    select
        keyed.*,
        first_orders.order_id is not null as is_first_order
    from keyed
    left join first_orders
        on keyed.order_id = first_orders.order_id
)

{% if is_incremental() -%}
select final.*
from final
left join {{ this }} as stored
    on final.order_id = stored.order_id
where final._partition_date >= {{ incremental_cutoff() }}
    or stored.order_id is null
    or stored.customer_key is distinct from final.customer_key
    or stored.is_first_order != final.is_first_order
{%- else -%}
select * from final
{%- endif %}
