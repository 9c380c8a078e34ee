"""Alembic environment, run by Flask-Migrate (``flask --app wsgi db …``) inside the app."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from clinic.database import append_only_tables, grant_app_role

config = context.config
if config.config_file_name is not None:
    # Keep the app's own loggers working when migrations run inside it (tests, CLI).
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def skip_empty_autogenerate(context, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def render_clinic_types(type_, object_, autogen_context):
    # Migrations must not import the app: UTCDateTime is DateTime(timezone=True) to the database.
    if type_ == "type" and type(object_).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    configure_args = dict(current_app.extensions["migrate"].configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_autogenerate)
    configure_args.pop("render_as_batch", None)
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_clinic_types,
            **configure_args,
        )
        with context.begin_transaction():
            context.run_migrations()
            # In the same transaction: the app's role never sees a table it has no rights on yet.
            app_role = current_app.config.get("DATABASE_APP_ROLE")
            if app_role and connection.dialect.name == "postgresql":
                grant_app_role(connection, app_role, append_only_tables(db.metadata))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
