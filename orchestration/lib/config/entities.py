"""The canonical model (orchestration/entities.yml): the kinds of data and their columns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.lib.config.fields import DOMAINS, ENTITIES_PATH, TYPES, ConfigError


@dataclass(frozen=True)
class EntityColumn:
    name: str
    type: str
    required: bool = False
    money: bool = False
    description: str = ""


@dataclass(frozen=True)
class Entity:
    """A kind of data of the canonical model (entities.yml) and its columns."""

    name: str
    domain: str
    staging_model: str
    columns: tuple[EntityColumn, ...]
    description: str = ""
    money_date: str | None = None

    def column(self, name: str) -> EntityColumn | None:
        return next((c for c in self.columns if c.name == name), None)


def load_entities(path: Path = ENTITIES_PATH) -> dict[str, Entity]:
    """The canonical entities, by name."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entities = {}
    for name, spec in document["entities"].items():
        columns = tuple(
            EntityColumn(
                name=column,
                type=column_spec["type"],
                required=bool(column_spec.get("required", False)),
                money=bool(column_spec.get("money", False)),
                description=str(column_spec.get("description", "")),
            )
            for column, column_spec in spec["columns"].items()
        )
        entity = Entity(
            name=name,
            domain=spec["domain"],
            staging_model=spec["staging_model"],
            columns=columns,
            description=" ".join(str(spec.get("description", "")).split()),
            money_date=spec.get("money_date"),
        )
        if entity.domain not in DOMAINS or any(c.type not in TYPES for c in columns):
            raise ConfigError(f"{Path(path).name}: entity '{name}': unknown domain or column type")
        if any(c.money for c in columns) and not entity.column(entity.money_date or ""):
            raise ConfigError(f"{Path(path).name}: entity '{name}': money columns need a money_date column")
        entities[name] = entity
    return entities
