"""The Great Expectations suites: generated from sources.yml, the dbt manifest and
expectations/rules.yml (`make manifest`), committed under expectations/suites/, read back here."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from orchestration.lib.config import Source
from orchestration.lib.settings import DBT_PROJECT_DIR, PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SUITES_DIR = EXPECTATIONS_DIR / "suites"
RULES_FILE = EXPECTATIONS_DIR / "rules.yml"
DBT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
NUMERIC_TYPES = ("bigint", "integer", "double", "decimal", "float", "numeric")


class SuiteMissingError(RuntimeError):
    """A table has no generated suite (sources.yml or a mart changed since `make manifest`)."""


def suite_name(source: Source) -> str:
    return f"raw.{source.name}"


def build_suite_dict(source: Source, rules: dict) -> dict:
    """The suite of one raw table, as GE's JSON form (name, expectations with meta)."""
    expectations = []

    def add(kind: str, severity: str, **kwargs) -> None:
        expectations.append({"type": kind, "kwargs": kwargs, "meta": {"severity": severity}})

    for column in source.columns:
        add("expect_column_to_exist", "error", column=column.name)
        if column.required:
            add("expect_column_values_to_not_be_null", "error", column=column.name)
        if column.accepted_values:
            add(
                "expect_column_values_to_be_in_set",
                "error",
                column=column.name,
                value_set=list(column.accepted_values),
            )
        low, high = column.min, column.max
        if isinstance(low, int | float) or isinstance(high, int | float):
            add(
                "expect_column_values_to_be_between",
                "error",
                column=column.name,
                min_value=low if isinstance(low, int | float) else None,
                max_value=high if isinstance(high, int | float) else None,
            )
        # A bound naming another column: events in order, a score within its own scale.
        pairs = [(column.name, low)] if isinstance(low, str) else []
        pairs += [(high, column.name)] if isinstance(high, str) else []
        for larger, smaller in pairs:
            add(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "error",
                column_A=larger,
                column_B=smaller,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
    # One row per key and version in an export (ingestion quarantines repeats). Across files the
    # same key is a newer version of the record, not a duplicate.
    if source.version_column:
        add(
            "expect_compound_columns_to_be_unique",
            "error",
            column_list=[*source.primary_key, source.version_column, "_source_file"],
        )
    for rule in rules.get(source.name) or []:
        rule = dict(rule)
        severity = rule.pop("severity", "error")
        add(rule.pop("expectation"), severity, **rule)
    return {"name": suite_name(source), "expectations": expectations, "meta": {"source": source.name}}


def mart_models(manifest_path: Path = DBT_MANIFEST) -> list[dict]:
    """The mart models of dbt's manifest, each with the key of its unique_combination test."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    keys = {
        node["attached_node"]: node["test_metadata"]["kwargs"]["columns"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "unique_combination"
    }
    marts = [
        {**node, "key": keys.get(node["unique_id"], [])}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    return sorted(marts, key=lambda node: node["name"])


def build_mart_suite_dict(model: dict, rules: dict) -> dict:
    """The suite of one mart: its contract's columns, its key, and a range for every numeric
    column (from the KPI unit, an override in rules.yml, or not negative). A column of rules.yml's
    warning_ranges gets that range as a warning, and keeps only its own override or not negative
    as an error: a bound that real data can cross is reported, never blocks publishing."""
    mart_rules = rules.get("_marts") or {}
    unit_ranges = mart_rules.get("unit_ranges") or {}
    column_ranges = mart_rules.get("column_ranges") or {}
    warning_ranges = mart_rules.get("warning_ranges") or {}
    signed = set(mart_rules.get("signed_columns") or [])
    vocabularies = mart_rules.get("vocabularies") or {}
    columns = list(model["columns"].values())
    expectations = []

    def add(kind: str, severity: str = "error", **kwargs) -> None:
        expectations.append({"type": kind, "kwargs": kwargs, "meta": {"severity": severity}})

    add("expect_table_columns_to_match_set", column_set=[c["name"] for c in columns], exact_match=True)
    if model["key"]:
        add("expect_compound_columns_to_be_unique", column_list=model["key"])
    for column in columns:
        name = column["name"]
        if name in ("period_grain", "period_start"):
            add("expect_column_values_to_not_be_null", column=name)
        if name in vocabularies:
            add("expect_column_values_to_be_in_set", column=name, value_set=vocabularies[name])
        qualified = f"{model['name']}.{name}"
        warning = warning_ranges.get(qualified)
        bounds = column_ranges.get(qualified) or (
            None if warning else unit_ranges.get((column.get("meta") or {}).get("unit"))
        )
        numeric = (column.get("data_type") or "").startswith(NUMERIC_TYPES)
        if bounds is None and numeric and name not in signed:
            bounds = [0, None]
        if bounds is not None:
            add("expect_column_values_to_be_between", column=name, min_value=bounds[0], max_value=bounds[1])
        if warning:
            add(
                "expect_column_values_to_be_between",
                "warning",
                column=name,
                min_value=warning[0],
                max_value=warning[1],
            )
    return {"name": f"marts.{model['name']}", "expectations": expectations, "meta": {"mart": model["name"]}}


def load_rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")) or {}


def read_suite(name: str) -> dict:
    """A committed suite by name: raw.<source> or marts.<mart>."""
    path = SUITES_DIR / f"{name}.json"
    if not path.exists():
        raise SuiteMissingError(
            f"no Great Expectations suite expectations/suites/{name}.json: run `make manifest` "
            "(python -m orchestration.lib.generate) after changing sources.yml or the dbt models"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def suite_columns(suite: dict) -> list[str]:
    columns = set()
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                columns.add(kwargs[key])
        columns.update(kwargs.get("column_list", []))
    return sorted(columns)
