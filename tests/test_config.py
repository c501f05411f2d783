"""The source configuration: the shipped file is valid, bad entries fail with a precise message."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.lib.config import ConfigError, load_sources

from .conftest import ORDERS_CONFIG


def test_shipped_configuration_covers_every_domain():
    sources = load_sources()
    assert {s.domain for s in sources} == {"marketing", "sales", "shipping", "support"}
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
