"""The migrations build exactly the models' schema, and can be undone and redone."""
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.extensions import db
from tests.conftest import config_for, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base_url = sa.engine.make_url(postgres_url())
    name = f"{base_url.database}_migrations_{os.getpid()}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield base_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def schema_differences() -> list:
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_builds_the_models_schema_and_round_trips(empty_database_url):
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade()
        assert schema_differences() == []
        assert table_names() >= {table.name for table in db.metadata.sorted_tables}

        downgrade(revision="base")
        assert table_names() == {"alembic_version"}

        upgrade()
        assert schema_differences() == []
        db.engine.dispose()
