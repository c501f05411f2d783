"""dbt-duckdb plugin that hands secrets to SQL as DuckDB session variables.

A value compiled into a model's SQL text ends up in dbt's target/ folder and in its debug log.
The pseudonym salt must not, so the models read it with `getvariable('cx_pseudonym_salt')` and
this plugin sets that variable on every connection and cursor dbt opens. The statement that sets
it is executed here, never by dbt, so dbt never logs it. Declared in dbt_project/profiles.yml.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

SALT_VARIABLE = "CX_PSEUDONYM_SALT"
# Development default so that a fresh clone runs; README tells production to set its own.
DEVELOPMENT_SALT = "cx-warehouse"


def salt() -> str:
    return os.environ.get(SALT_VARIABLE) or DEVELOPMENT_SALT


class Plugin(BasePlugin):
    def _set(self, connection) -> None:
        connection.execute("set variable cx_pseudonym_salt = $salt", {"salt": salt()})

    def configure_connection(self, conn) -> None:
        self._set(conn)

    def configure_cursor(self, cursor) -> None:
        self._set(cursor)
