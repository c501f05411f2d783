-- Giao Hàng Nhanh waybills in the canonical shipment shape (see macros/staging_shapes.sql).
-- depends_on: {{ source('raw', 'ghn_waybills') }}, {{ ref('shipping__carrier_status_map') }}
{{ stg_carrier_waybills('ghn_waybills') }}
