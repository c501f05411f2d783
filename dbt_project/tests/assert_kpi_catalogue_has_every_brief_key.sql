-- Every KPI key of the brief has a row in the catalogue (the reverse is a relationships test).
select keys.kpi
from {{ ref('catalogue__kpi_keys') }} as keys
left join {{ ref('kpi_catalogue') }} as catalogue
    on keys.kpi = catalogue.kpi
where catalogue.kpi is null
