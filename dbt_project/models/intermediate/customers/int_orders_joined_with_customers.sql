-- Orders with the pseudonymous customer key (by phone, else e-mail) and whether the order is
-- the customer's first purchase across all channels.
with

orders as (
    select * from {{ ref('int_orders_summarised') }}
),

identifiers as (
    select * from {{ ref('int_customer_identifiers_resolved') }}
),

keyed as (
    select
        orders.*,
        coalesce(by_phone.customer_key, by_email.customer_key) as customer_key
    from orders
    left join identifiers as by_phone
        on by_phone.identifier = 'phone:' || orders.customer_phone
    left join identifiers as by_email
        on by_email.identifier = 'email:' || orders.customer_email
),

final as (
    select
        keyed.*,
        keyed.customer_key is not null
        and row_number() over (
            partition by keyed.customer_key order by keyed.ordered_at, keyed.order_id
        ) = 1 as is_first_order
    from keyed
)

select * from final
