"""The SQL backend of actionlogkit: :class:`SQLStore` on SQLite and PostgreSQL (SQLAlchemy Core).

``open_store("sqlite:///actionlogs.db")`` and ``open_store("postgresql+psycopg://…")`` open it
through the ``actionlogkit.backends`` entry points; see ``docs/backends/sql.md``.
"""

from actionlogkit_sql._schema import SCHEMA_VERSION
from actionlogkit_sql._store import DEFAULT_TABLE_NAME, SQLStore

__all__ = ["DEFAULT_TABLE_NAME", "SCHEMA_VERSION", "SQLStore"]
