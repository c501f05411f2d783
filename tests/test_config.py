"""The source configuration: the shipped file is valid and fits the canonical model, bad entries
fail with a precise message, what is generated from it is current, the market is a setting."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml

from orchestration.lib import generate
from orchestration.lib.config import ConfigError, load_entities, load_sources
from orchestration.lib.settings import DBT_PROJECT_DIR, DEFAULTS, PROJECT_ROOT, SETTINGS, settings

from .conftest import ORDERS_CONFIG


def test_shipped_configuration_covers_every_domain():
    sources = load_sources()
    assert {s.domain for s in sources} == {"marketing", "sales", "delivery", "customer_service"}
    assert len({s.name for s in sources}) == len(sources)
    # The hand-kept sheet lists an order again when its status changes (DECISIONLOG).
    assert [s.name for s in sources if s.versioned_by_row_order] == ["manual_orders"]


def test_partition_is_read_from_the_file_name(write_config):
    (source,) = write_config()
    assert source.partition_of("shop/orders_2025-07-01.csv") == date(2025, 7, 1)
    assert source.partition_of("shop/orders_2025-07-01 (1).csv") == date(2025, 7, 1)
    assert source.partition_of("shop/orders_2025-13-01.csv") is None
    assert source.partition_of("other/orders_2025-07-01.csv") is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("type: timestamp", "type: datetime", r"source 'shop_orders', column 'ordered_at', field 'type'"),
        ("domain: sales", "domain: finance", r"source 'shop_orders', field 'domain'"),
        (
            "files: shop/orders_{date}*.csv",
            "files: ../../etc/orders_{date}.csv",
            r"source 'shop_orders', field 'files'.*inside data/landing",
        ),
        ("files: shop/orders_{date}*.csv", "files: shop/orders.csv", r"field 'files'.*\{date\}"),
        ("primary_key: [order_id]", "primary_key: [order_no]", r"field 'primary_key': 'order_no'"),
        ("row_date: ordered_at", "row_date: amount", r"field 'row_date'.*date or timestamp"),
        ("name: shop_orders", "name: Shop Orders", r"source #1, field 'name'"),
        ("timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Saigon_City", r"field 'timezone'"),
        ("max: scale_max", "max: scale", r"bound 'scale' is not a column"),
        (
            "format: iso}",
            "format: iso, min: 0}",
            r"column 'updated_at', field 'min': a date or timestamp is bounded by another column",
        ),
        (
            "type: text, accepted_values",
            "type: text, min: 0, accepted_values",
            r"field 'min': only for number",
        ),
        ("    domain: sales", "    domain: sales\n    delimeter: ';'", r"field 'delimeter': unknown field"),
        ("{source: Score, type: integer", "{type: integer", r"column 'score', field 'source'"),
        (
            "    domain: sales",
            "    domain: sales\n    expected: weekly",
            r"field 'expected': 'weekly' must be daily, never or a list of mon, tue",
        ),
        ("    domain: sales", "    domain: sales\n    expected: [mon, friday]", r"field 'expected'"),
        (
            "    domain: sales",
            "    domain: sales\n    known_missing: [04/07/2025]",
            r"field 'known_missing': '04/07/2025' is not a date \(YYYY-MM-DD\)",
        ),
        (
            "version_column: updated_at",
            "version_column: updated_at\n    versioned_by_row_order: true",
            r"field 'versioned_by_row_order': a source has a version column or row order, not both",
        ),
        ("symbols: [₫]", "symbols: [₫], negatives: [brackets]", r"column 'amount', field 'negatives'"),
        ("type: text, accepted_values", "type: text, event: false, accepted_values", r"field 'event'"),
        ("type: text, accepted_values", "type: text, symbols: [₫], accepted_values", r"field 'symbols'"),
        ('"%d/%m/%Y %H:%M"', '"%d/%m/%Y %H:%M %Q"', r"field 'format': \['%Q'\] not supported"),
        ("    domain: sales", "    domain: sales\n    days_after_export: -1", r"field 'days_after_export'"),
    ],
)
def test_bad_entries_name_the_entry_and_field(write_config, old, new, message):
    assert old in ORDERS_CONFIG
    with pytest.raises(ConfigError, match=message):
        write_config(ORDERS_CONFIG.replace(old, new, 1))


def test_repeated_source_names_are_refused(write_config):
    entry = ORDERS_CONFIG.split("sources:\n", 1)[1]
    with pytest.raises(ConfigError, match="unique.*shop_orders"):
        write_config(ORDERS_CONFIG + entry)


CANONICAL_CONFIG = """
sources:
  - name: shop_lines
    entity: order_lines
    files: shop/lines_{date}*.csv
    primary_key: [order_id, sku]
    row_date: ordered_at
    constants: {sales_channel: shop}
    columns:
      order_id: {source: Pedido, type: text, required: true}
      ordered_at: {source: Data, type: timestamp, format: "%d/%m/%Y %H:%M", required: true}
      sku: {source: SKU, type: text, required: true}
      unit_price: {source: Preço, type: decimal, decimal_mark: ",", required: true}
      quantity: {source: Qtd, type: integer}
      order_status: {source: Situação, type: text, values: {Entregue: delivered, Cancelado: cancelled}}
"""


def test_a_source_maps_onto_its_entity(write_config):
    (source,) = write_config(CANONICAL_CONFIG)
    assert source.entities == ("order_lines",) and source.domain == "sales"
    assert source.customer_namespace == "shop_lines"
    status = next(c for c in source.columns if c.name == "order_status")
    assert status.values == {"Entregue": "delivered", "Cancelado": "cancelled"}
    assert status.accepted_values == ("Entregue", "Cancelado")  # an unmapped word is quarantined


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "entity: order_lines",
            "entity: order_linez",
            r"field 'entity': 'order_linez' is not one of ad_spend",
        ),
        (
            "      quantity: {source: Qtd",
            "      qty: {source: Qtd",
            r"column 'qty': not a column of entity order_lines \(entities.yml\): cancelled_at",
        ),
        (
            "quantity: {source: Qtd, type: integer}",
            "quantity: {source: Qtd, type: text}",
            r"column 'quantity', field 'type': 'text', but entity order_lines has it as 'integer'",
        ),
        (
            "constants: {sales_channel: shop}",
            "constants: {}",
            r"entity order_lines needs column\(s\) \['sales_channel'\]",
        ),
        (
            "constants: {sales_channel: shop}",
            "constants: {channel: shop}",
            r"'channel' is not a column of entity",
        ),
        ("    entity: order_lines\n", "", r"field 'entity': missing: the canonical entity"),
    ],
)
def test_a_source_that_does_not_fit_its_entity_names_what_is_wrong(write_config, old, new, message):
    assert old in CANONICAL_CONFIG
    with pytest.raises(ConfigError, match=message):
        write_config(CANONICAL_CONFIG.replace(old, new, 1))


def test_the_source_time_zone_defaults_to_the_business_time_zone(write_config, monkeypatch):
    monkeypatch.setenv("CX_BUSINESS_TIMEZONE", "America/Sao_Paulo")
    (source,) = write_config(CANONICAL_CONFIG)
    assert source.timezone == "America/Sao_Paulo"
    monkeypatch.setenv("CX_SOURCE_TIMEZONE", "UTC")
    (source,) = write_config(CANONICAL_CONFIG)
    assert source.timezone == "UTC"
    (source,) = write_config(CANONICAL_CONFIG.replace("    entity:", "    timezone: Asia/Tokyo\n    entity:"))
    assert source.timezone == "Asia/Tokyo"


def test_dbt_reads_the_settings_with_the_same_defaults():
    """One setting per fact: where dbt reads a variable of settings.py (the market vars of
    dbt_project.yml, profiles.yml's memory limit), it has the same default, so setting one moves
    partitions (Dagster) and periods (dbt) alike."""
    read = {}
    for name in ("dbt_project.yml", "profiles.yml"):
        text = (DBT_PROJECT_DIR / name).read_text(encoding="utf-8")
        for variable, default in re.findall(r"env_var\('([A-Z_]+)', '([^']*)'\)", text):
            read.setdefault(variable, set()).add(default)
    same_text = ("CX_BUSINESS_TIMEZONE", "CX_REPORTING_CURRENCY", "CX_PHONE_COUNTRY_CODE")
    for variable in (*same_text, "DUCKDB_MEMORY_LIMIT", "CX_PSEUDONYM_SALT"):
        assert read.get(variable) == {DEFAULTS[variable]}, variable
    # Paths are relative to the dbt project there: the same files.
    assert read["DUCKDB_DATABASE"] == {f"../{DEFAULTS['DUCKDB_DATABASE']}"}
    assert read["CX_SPARK_DIR"] == {f"../{DEFAULTS['CX_SPARK_DIR']}"}


def test_the_readme_configuration_table_is_the_settings():
    """README's configuration table names every setting of settings.py, and nothing else of ours,
    with its default."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n\n| variable |", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        names, default, _meaning = (cell.strip() for cell in line.strip("|").split(" | ", 2))
        for name in re.findall(r"`([A-Z_]+)`", names):
            rows[name] = default
    assert set(rows) - {"DAGSTER_HOME"} == set(DEFAULTS)
    for setting in SETTINGS:
        if setting.default and setting.variable != "CX_PSEUDONYM_SALT":
            assert rows[setting.variable] == f"`{setting.default}`", setting.variable


def test_settings_are_typed_and_name_a_bad_value(monkeypatch):
    monkeypatch.setenv("CX_QUALITY_KEEP_RESULTS", "7")
    monkeypatch.setenv("DUCKDB_DATABASE", "elsewhere/w.duckdb")
    monkeypatch.delenv("CX_SOURCE_TIMEZONE", raising=False)
    monkeypatch.setenv("CX_BUSINESS_TIMEZONE", "Europe/Lisbon")
    current = settings()
    assert current.quality_keep_results == 7
    assert current.warehouse_path == PROJECT_ROOT / "elsewhere" / "w.duckdb"
    assert current.source_timezone == "Europe/Lisbon"
    monkeypatch.setenv("CX_WAREHOUSE_LOCK_TIMEOUT", "an hour")
    with pytest.raises(ValueError, match="CX_WAREHOUSE_LOCK_TIMEOUT='an hour' is not a number"):
        settings()


def test_no_market_is_hard_coded_in_the_models():
    """No VND column, currency or time zone written into a model or macro (comments aside: they
    give examples): they are settings."""
    market = re.compile(r"_vnd\b|'VND'|Asia/|Ho_Chi_Minh|\+\??84|\b84-", re.IGNORECASE)
    comments = re.compile(r"\{#.*?#\}|--[^\n]*", re.DOTALL)
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)}"
        for folder in ("models", "macros")
        for path in sorted((DBT_PROJECT_DIR / folder).rglob("*.sql"))
        for match in market.finditer(comments.sub("", path.read_text(encoding="utf-8")))
    ]
    assert offenders == []
    columns = {
        column["name"]
        for path in (DBT_PROJECT_DIR / "models").rglob("*.yml")
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", [])
        for column in model.get("columns", [])
    }
    assert not [c for c in columns if c.endswith("_vnd")]


def test_generated_dbt_sources_and_raw_suites_are_current():
    stale = [
        str(path.relative_to(PROJECT_ROOT))
        for path, text in generate.generated_files().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "stale: run `make manifest` (python -m orchestration.lib.generate)"


def test_every_entity_has_its_staging_model():
    for entity in load_entities().values():
        folder = DBT_PROJECT_DIR / "models" / "staging" / entity.domain
        model = (folder / f"{entity.staging_model}.sql").read_text(encoding="utf-8")
        assert f"union_entity_sources('{entity.name}')" in model, entity.name


def test_expected_deliveries_default_to_daily(write_config):
    (source,) = write_config()
    assert source.expected_weekdays == (1, 2, 3, 4, 5, 6, 7)
    assert source.expected_from is None and source.known_missing == ()
    (source,) = write_config(
        ORDERS_CONFIG.replace(
            "    domain: sales",
            "    domain: sales\n    expected: [fri, mon]\n    expected_from: 2025-06-30\n"
            "    known_missing: [2025-07-04]",
            1,
        )
    )
    assert source.expected_weekdays == (1, 5)
    assert (source.expected_from, source.known_missing) == (date(2025, 6, 30), (date(2025, 7, 4),))
    # Friday 27 June is before expected_from, Saturday 5 July not a weekday of the source; a
    # known_missing day (Friday 4 July) is still expected: its periods are incomplete.
    assert [source.is_expected_on(date(2025, 6, d)) for d in (27, 30)] == [False, True]
    assert [source.is_expected_on(date(2025, 7, d)) for d in (4, 5, 7)] == [True, False, True]


def test_make_manifest_names_a_bad_entry_without_a_traceback(monkeypatch, capsys):
    def bad_entry():
        raise ConfigError(
            "sources.yml: source 'sendo_orders', column 'qty': not a column of entity order_lines"
        )

    monkeypatch.setattr(generate, "load_sources", bad_entry)
    assert generate.main() == 1
    assert (
        capsys.readouterr().err
        == "sources.yml: source 'sendo_orders', column 'qty': not a column of entity order_lines\n"
    )
