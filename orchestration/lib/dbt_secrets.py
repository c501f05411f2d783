"""dbt-duckdb plugin that hands secrets to SQL as DuckDB session variables.

A value compiled into a model's SQL text ends up in dbt's target/ folder and in its debug log.
The pseudonym salt must not, so the models read it with `getvariable('cx_pseudonym_salt')` and
this plugin sets that variable on every connection and cursor dbt opens. The statement that sets
it is executed here, never by dbt, so dbt never logs it. Declared in dbt_project/profiles.yml.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.lib.settings import settings


def salt() -> str:
    """CX_PSEUDONYM_SALT; its development default lets a fresh clone run (README: set it in production)."""
    return settings().pseudonym_salt


class Plugin(BasePlugin):
    def _set(self, connection) -> None:
        connection.execute("set variable cx_pseudonym_salt = $salt", {"salt": salt()})

    def configure_connection(self, conn) -> None:
        self._set(conn)

    def configure_cursor(self, cursor) -> None:
        self._set(cursor)
