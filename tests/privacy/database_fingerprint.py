"""What a restored database must share with its original: every row, and every schema object."""
from __future__ import annotations

import hashlib
import json
import re

import sqlalchemy as sa


def table_fingerprints(engine: sa.Engine) -> dict[str, tuple[int, str]]:
    """Return table → (row count, SHA-256 over its rows ordered by primary key, as canonical JSON)."""
    inspector = sa.inspect(engine)
    fingerprints = {}
    with engine.connect() as connection:
        for table in inspector.get_table_names():
            key = inspector.get_pk_constraint(table)["constrained_columns"]
            order = ", ".join(f'"{column}"' for column in key) or "1"
            rows = connection.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY {order}').all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(json.dumps(list(row), default=str, sort_keys=True).encode())
                digest.update(b"\n")
            fingerprints[table] = (len(rows), digest.hexdigest())
    return fingerprints


def schema_objects(engine: sa.Engine) -> set[tuple]:
    """Return the tables, indexes, triggers and constraints as the database's catalogue states them."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return set(connection.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        constraints = connection.exec_driver_sql(
            "SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'")
        triggers = connection.exec_driver_sql(
            "SELECT 'trigger', tgrelid::regclass::text, tgname, pg_get_triggerdef(t.oid) "
            "FROM pg_trigger t WHERE NOT tgisinternal")
        indexes = connection.exec_driver_sql(
            "SELECT 'index', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        functions = connection.exec_driver_sql(
            "SELECT 'function', '', proname, md5(prosrc) FROM pg_proc p JOIN pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname = 'public'")
        return {
            (kind, table, name, _without_casts(definition))
            for result in (constraints, triggers, indexes, functions)
            for kind, table, name, definition in result
        }


def _without_casts(definition: str) -> str:
    """Return a definition without casts and brackets: a restore parses CHECKs again and prints them
    with casts of its own (``'api'::character varying)::text``), which mean the same."""
    return re.sub(r"::[a-z ]+(\[\])?|[()\s]", "", definition)
