-- Customer records (entity customers: a CRM, a marketplace's customer table), latest version of
-- each, phones and e-mails normalised; customer ids namespaced by their source system.
with

customers as (
    {{ union_entity_sources('customers') }}
),

final as (
    select
        customer_id,
        customer_account_id,
        customer_phone,
        customer_email,
        city,
        region,
        lead_source,
        created_at,
        updated_at,
        _source,
        _partition_date,
        _source_file,
        _source_row
    from customers
)

select * from final
