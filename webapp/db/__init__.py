"""The database: engine and sessions, the unit of work, column types and Alembic migrations.

Imports nothing else of ``webapp``."""
