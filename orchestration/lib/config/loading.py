"""Reading sources.yml: each entry merged with the defaults, checked field by field and against
its entity, into a Source."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from orchestration.lib.config.entities import Entity, load_entities
from orchestration.lib.config.fields import (
    COLUMN_FIELDS,
    DEFAULT_CONFIG_PATH,
    DEFAULT_MAX_RECORD_LINES,
    DOMAINS,
    ENTITIES_PATH,
    FORMAT_DIRECTIVE,
    FORMAT_DIRECTIVES,
    FORMATS,
    IDENTIFIER,
    NEGATIVE_FORMS,
    SOURCE_FIELDS,
    TYPES,
    ConfigError,
)
from orchestration.lib.config.sources import Column, Source
from orchestration.lib.settings import settings


def load_sources(path: Path = DEFAULT_CONFIG_PATH, entities_path: Path = ENTITIES_PATH) -> list[Source]:
    """Read and validate every source entry; raise ConfigError on the first bad field."""
    entities = load_entities(entities_path)
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{Path(path).name}: not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise ConfigError(f"{Path(path).name}: expected a mapping with a 'sources' list")
    defaults = document.get("defaults") or {}
    sources = [
        _parse_source(entry, defaults, index, Path(path).name, entities)
        for index, entry in enumerate(document["sources"])
    ]
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"{Path(path).name}: source names must be unique, repeated: {duplicates}")
    return sources


def _parse_source(
    entry: Any, defaults: dict, index: int, file_name: str, entities: dict[str, Entity]
) -> Source:
    label = f"{file_name}: source #{index + 1}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{label}: expected a mapping")
    name = entry.get("name")
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise ConfigError(f"{label}, field 'name': {name!r} must match {IDENTIFIER.pattern}")
    label = f"{file_name}: source '{name}'"

    def fail(field_name: str, message: str) -> ConfigError:
        return ConfigError(f"{label}, field '{field_name}': {message}")

    unknown = set(entry) - SOURCE_FIELDS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown field (allowed: {', '.join(sorted(SOURCE_FIELDS))})")
    merged = {**defaults, **entry}
    for required in ("files", "primary_key", "columns"):
        if required not in merged:
            raise fail(required, "missing")

    entity_names = merged.get("entity") or []
    entity_names = [entity_names] if isinstance(entity_names, str) else list(entity_names)
    for entity_name in entity_names:
        if entity_name not in entities:
            raise fail("entity", f"{entity_name!r} is not one of {', '.join(entities)} (entities.yml)")
    source_entities = [entities[e] for e in entity_names]
    domain = merged.get("domain") or (source_entities[0].domain if source_entities else None)
    if domain not in DOMAINS:
        raise fail(
            "domain" if "domain" in merged else "entity",
            f"{domain!r} is not one of {', '.join(DOMAINS)}"
            if domain
            else "missing: the canonical entity the source feeds (entities.yml), or a domain for a "
            "source that no entity describes",
        )
    fmt = merged.get("format", "csv")
    if fmt not in FORMATS:
        raise fail("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")

    files = merged["files"]
    if not isinstance(files, str) or files.count("{date}") != 1:
        raise fail("files", "must be a path under data/landing containing {date} exactly once")
    pure = PurePosixPath(files)
    if pure.is_absolute() or ".." in pure.parts or "\\" in files:
        raise fail("files", f"{files!r} must stay inside data/landing (no absolute path, no '..')")

    timezone = merged.get("timezone") or settings().source_timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise fail("timezone", f"unknown time zone {timezone!r}") from error

    encoding = str(merged.get("encoding", "utf-8"))
    try:
        "".encode(encoding)
    except LookupError as error:
        raise fail("encoding", f"unknown encoding {encoding!r}") from error

    delimiter = str(merged.get("delimiter", ","))
    if len(delimiter) != 1:
        raise fail("delimiter", f"{delimiter!r} must be a single character")
    skip_rows = merged.get("skip_rows", 0)
    if not isinstance(skip_rows, int) or skip_rows < 0:
        raise fail("skip_rows", f"{skip_rows!r} must be a whole number >= 0")
    max_record_lines = merged.get("max_record_lines", DEFAULT_MAX_RECORD_LINES)
    if not isinstance(max_record_lines, int) or isinstance(max_record_lines, bool) or max_record_lines < 1:
        raise fail("max_record_lines", f"{max_record_lines!r} must be a whole number >= 1")
    if fmt == "xlsx" and not merged.get("sheet"):
        raise fail("sheet", "required for xlsx sources")

    raw_columns = merged["columns"]
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise fail("columns", "must be a non-empty mapping of canonical name -> column spec")
    columns = tuple(
        _parse_column(column_name, spec, f"{label}, column '{column_name}'")
        for column_name, spec in raw_columns.items()
    )
    column_names = {column.name for column in columns}

    constants = merged.get("constants") or {}
    if not isinstance(constants, dict):
        raise fail("constants", "must be a mapping of column name -> value")
    for constant in constants:
        if not IDENTIFIER.match(str(constant)):
            raise fail("constants", f"{constant!r} must match {IDENTIFIER.pattern}")
        if constant in column_names:
            raise fail("constants", f"{constant!r} is also a column")

    primary_key = merged["primary_key"]
    if isinstance(primary_key, str):
        primary_key = [primary_key]
    all_columns = column_names | set(constants)
    for key in primary_key:
        if key not in all_columns:
            raise fail("primary_key", f"{key!r} is not a declared column")
    for single in ("row_date", "version_column"):
        value = merged.get(single)
        if value is not None and value not in column_names:
            raise fail(single, f"{value!r} is not a declared column")
    row_date = merged.get("row_date")
    if row_date and next(c.type for c in columns if c.name == row_date) not in ("date", "timestamp"):
        raise fail("row_date", f"{row_date!r} must be a date or timestamp column")
    days_after_export = merged.get("days_after_export", 1)
    if not isinstance(days_after_export, int) or isinstance(days_after_export, bool) or days_after_export < 0:
        raise fail("days_after_export", f"{days_after_export!r} must be a whole number of days >= 0")
    versioned_by_row_order = merged.get("versioned_by_row_order", False)
    if not isinstance(versioned_by_row_order, bool):
        raise fail("versioned_by_row_order", f"{versioned_by_row_order!r} must be true or false")
    if versioned_by_row_order and merged.get("version_column"):
        raise fail("versioned_by_row_order", "a source has a version column or row order, not both")
    for column in columns:
        for bound in (column.min, column.max):
            if isinstance(bound, str) and bound not in column_names:
                raise fail("columns", f"column '{column.name}': bound {bound!r} is not a column")
    if source_entities:
        _check_against_entities(columns, constants, source_entities, label)

    return Source(
        name=name,
        domain=domain,
        description=str(merged.get("description", "")),
        files=files,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        date_format=str(merged.get("date_format", "%Y-%m-%d")),
        timezone=timezone,
        skip_rows=skip_rows,
        sheet=merged.get("sheet"),
        primary_key=tuple(primary_key),
        row_date=merged.get("row_date"),
        version_column=merged.get("version_column"),
        constants={str(k): str(v) for k, v in constants.items()},
        columns=columns,
        entities=tuple(entity_names),
        customer_namespace=str(merged.get("customer_namespace") or name),
        max_record_lines=max_record_lines,
        **_parse_expected(merged, fail),
        days_after_export=days_after_export,
        versioned_by_row_order=versioned_by_row_order,
    )


def _check_against_entities(
    columns: tuple[Column, ...], constants: dict, entities: list[Entity], label: str
) -> None:
    """Every column is a column of one of the source's entities, of its type (an integer where a
    decimal is expected is fine); every required column of each entity is mapped or constant."""
    names = ", ".join(e.name for e in entities)
    for column in columns:
        canonical = next((e.column(column.name) for e in entities if e.column(column.name)), None)
        if canonical is None:
            known = sorted({c.name for e in entities for c in e.columns})
            raise ConfigError(
                f"{label}, column '{column.name}': not a column of entity {names} (entities.yml): "
                f"{', '.join(known)}"
            )
        if column.type != canonical.type and (column.type, canonical.type) != ("integer", "decimal"):
            raise ConfigError(
                f"{label}, column '{column.name}', field 'type': {column.type!r}, but entity {names} "
                f"has it as {canonical.type!r}"
            )
    for constant in constants:
        if not any(e.column(constant) for e in entities):
            raise ConfigError(f"{label}, field 'constants': {constant!r} is not a column of entity {names}")
    mapped = {c.name for c in columns} | set(constants)
    for entity in entities:
        missing = [c.name for c in entity.columns if c.required and c.name not in mapped]
        if missing:
            raise ConfigError(
                f"{label}: entity {entity.name} needs column(s) {missing}: map them under "
                "`columns` or give them under `constants`"
            )


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_expected(merged: dict, fail) -> dict:
    """The expected deliveries of a source: `expected` is daily (the default), never, or a list
    of weekdays (mon..sun); `expected_from` the first day an export is expected (default none:
    every day the warehouse loads); `known_missing` days whose export is lost for good."""
    expected = merged.get("expected", "daily")
    if expected == "daily":
        weekdays = tuple(range(1, 8))
    elif expected == "never":
        weekdays = ()
    elif isinstance(expected, list) and expected and all(day in WEEKDAYS for day in expected):
        weekdays = tuple(sorted({WEEKDAYS.index(day) + 1 for day in expected}))
    else:
        raise fail("expected", f"{expected!r} must be daily, never or a list of {', '.join(WEEKDAYS)}")

    def day(value, field_name: str) -> date:
        try:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError as error:
            raise fail(field_name, f"{value!r} is not a date (YYYY-MM-DD)") from error

    expected_from = merged.get("expected_from")
    known_missing = merged.get("known_missing") or []
    if not isinstance(known_missing, list):
        raise fail("known_missing", "must be a list of dates (YYYY-MM-DD)")
    return {
        "expected_weekdays": weekdays,
        "expected_from": day(expected_from, "expected_from") if expected_from is not None else None,
        "known_missing": tuple(sorted(day(value, "known_missing") for value in known_missing)),
    }


def _parse_column(name: Any, spec: Any, label: str) -> Column:
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise ConfigError(f"{label}: canonical name must match {IDENTIFIER.pattern}")
    if not isinstance(spec, dict):
        raise ConfigError(f"{label}: expected a mapping like {{source: ..., type: ...}}")
    unknown = set(spec) - COLUMN_FIELDS
    if unknown:
        raise ConfigError(f"{label}, field '{sorted(unknown)[0]}': unknown field")
    if not spec.get("source"):
        raise ConfigError(f"{label}, field 'source': missing (the export's own column name)")
    column_type = spec.get("type")
    if column_type not in TYPES:
        raise ConfigError(f"{label}, field 'type': {column_type!r} is not one of {', '.join(TYPES)}")
    fmt = spec.get("format")
    if fmt is not None and column_type not in ("date", "timestamp"):
        raise ConfigError(f"{label}, field 'format': only for date and timestamp columns")
    values = spec.get("values")
    if values is not None:
        if column_type != "text" or not isinstance(values, dict) or not values:
            raise ConfigError(
                f"{label}, field 'values': a mapping of export words to canonical words (text only)"
            )
        values = {unicodedata.normalize("NFC", str(k)): str(v) for k, v in values.items()}
    if fmt is not None and fmt != "iso":
        unknown_directives = sorted(set(FORMAT_DIRECTIVE.findall(str(fmt))) - set(FORMAT_DIRECTIVES))
        if unknown_directives:
            raise ConfigError(
                f"{label}, field 'format': {unknown_directives} not supported "
                f"(use {', '.join(FORMAT_DIRECTIVES)} or iso)"
            )
    number_fields = [name for name in ("thousands", "decimal_mark", "negatives", "symbols") if name in spec]
    if number_fields and column_type not in ("integer", "decimal"):
        raise ConfigError(f"{label}, field '{number_fields[0]}': only for integer and decimal columns")
    if column_type == "decimal" and spec.get("thousands") == spec.get("decimal_mark", "."):
        raise ConfigError(f"{label}, field 'thousands': must differ from the decimal mark")
    negatives = spec.get("negatives", ["minus"])
    if not isinstance(negatives, list) or not set(negatives) <= set(NEGATIVE_FORMS):
        raise ConfigError(
            f"{label}, field 'negatives': {negatives!r} must be a list of {', '.join(NEGATIVE_FORMS)} "
            "(or [] for none)"
        )
    symbols = spec.get("symbols", [])
    if not isinstance(symbols, list) or not all(isinstance(s, str) and s.strip() for s in symbols):
        raise ConfigError(f"{label}, field 'symbols': must be a list of texts such as ['₫', 'VND']")
    event = spec.get("event", True)
    if not isinstance(event, bool) or ("event" in spec and column_type not in ("date", "timestamp")):
        raise ConfigError(f"{label}, field 'event': true or false, only for date and timestamp columns")
    accepted = spec.get("accepted_values")
    if accepted is None and values:
        accepted = list(values)  # a word the mapping does not know is quarantined
    if accepted is not None and (not isinstance(accepted, list) or not accepted):
        raise ConfigError(f"{label}, field 'accepted_values': must be a non-empty list")
    for bound in ("min", "max"):
        value = spec.get(bound)
        if value is not None and not isinstance(value, int | float | str):
            raise ConfigError(f"{label}, field '{bound}': must be a number or a column name")
        if value is not None and column_type in ("date", "timestamp") and not isinstance(value, str):
            raise ConfigError(f"{label}, field '{bound}': a date or timestamp is bounded by another column")
        if value is not None and column_type not in ("integer", "decimal", "date", "timestamp"):
            raise ConfigError(f"{label}, field '{bound}': only for number, date and timestamp columns")
    return Column(
        name=name,
        source=unicodedata.normalize("NFC", str(spec["source"])),
        type=column_type,
        format=fmt,
        thousands=spec.get("thousands"),
        decimal_mark=spec.get("decimal_mark", "."),
        required=bool(spec.get("required", False)),
        accepted_values=tuple(str(v) for v in accepted) if accepted else None,
        min=spec.get("min"),
        max=spec.get("max"),
        values=values,
        negatives=tuple(dict.fromkeys(negatives)),
        symbols=tuple(unicodedata.normalize("NFC", s.strip()) for s in symbols),
        event=event,
    )
