"""Load and validate the source configuration (orchestration/sources.yml) against the canonical
model (orchestration/entities.yml).

A bad entry fails at load time with a message naming the entry and the field, for example
`sources.yml: source 'web_orders', column 'ordered_at', field 'type': 'datetime' is not one
of text, integer, decimal, date, timestamp, boolean`.
"""

from orchestration.lib.config.entities import Entity, EntityColumn, load_entities
from orchestration.lib.config.fields import (
    DEFAULT_CONFIG_PATH,
    DEFAULT_MAX_RECORD_LINES,
    DOMAINS,
    ENTITIES_PATH,
    FORMAT_DIRECTIVES,
    FORMATS,
    NEGATIVE_FORMS,
    TYPES,
    ConfigError,
)
from orchestration.lib.config.loading import load_sources
from orchestration.lib.config.sources import Column, Source

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DEFAULT_MAX_RECORD_LINES",
    "DOMAINS",
    "ENTITIES_PATH",
    "FORMATS",
    "FORMAT_DIRECTIVES",
    "NEGATIVE_FORMS",
    "TYPES",
    "Column",
    "ConfigError",
    "Entity",
    "EntityColumn",
    "Source",
    "load_entities",
    "load_sources",
]
