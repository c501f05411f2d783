with

source as (
    select * from {{ source('raw', 'crm_customers') }}
),

latest as (
    {{ latest_version('source', ['customer_id'], 'updated_at') }}
),

final as (
    select
        customer_id as crm_customer_id,
        {{ normalize_phone('phone') }} as customer_phone,
        {{ normalize_email('email') }} as customer_email,
        city,
        lead_source,
        created_at,
        updated_at,
        _source_file,
        _source_row,
        _partition_date
    from latest
)

select * from final
