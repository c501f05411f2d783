-- Viettel Post waybills in the canonical shipment shape (see macros/staging_shapes.sql).
-- depends_on: {{ source('raw', 'viettelpost_waybills') }}, {{ ref('shipping__carrier_status_map') }}
{{ stg_carrier_waybills('viettelpost_waybills') }}
