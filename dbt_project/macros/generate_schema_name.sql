{#- Models land in the schema named by their folder (staging, intermediate, marts), not in
    <target>_<schema>: BI users query `marts.*` whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
