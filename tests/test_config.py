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
