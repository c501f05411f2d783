{{ config(severity='warn') }}
-- A sales channel whose orders carry no customer identifier at all (no phone, e-mail or customer
-- id): its buyers cannot be linked, so the channel has no new or returning customers and no
-- retention. Legitimate for some exports (then map an identifier if the export has one), so a
-- warning, naming the channel.
select
    sales_channel,
    count(*) as orders
from {{ ref('int_orders_joined_with_customers') }}
group by sales_channel
having count(customer_key) = 0
