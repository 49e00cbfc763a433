"""Schema migrations (alembic): upgrade, report the current revision."""

import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from karbor.db import api as db_api

_HERE = os.path.dirname(__file__)


def _config(connection=None):
    config = alembic_config.Config(os.path.join(_HERE, 'alembic.ini'))
    config.set_main_option('script_location', 'karbor.db:migrations')
    config.attributes['connection'] = connection
    return config


def upgrade(revision='head', engine=None):
    """Bring the schema of ``engine`` (default: the configured one) up."""
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        alembic_command.upgrade(_config(connection), revision)


def version(engine=None):
    """The revision the database is at, or None before the first sync."""
    engine = engine or db_api.get_engine()
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()


def head():
    return alembic_script.ScriptDirectory.from_config(
        _config()).get_current_head()
