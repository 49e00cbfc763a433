"""The alembic migrations against real database servers.

* The models and the migrations describe the same schema (oslo.db's
  ``ModelsMigrationsSync``) on SQLite, MariaDB/MySQL and PostgreSQL.
* ``karbor-manage db sync`` / ``db version``, run as the operator runs
  them, bring an empty database to the head revision, and a second sync
  changes nothing.
"""

import logging
import os
import subprocess

import fixtures
from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import test_migrations
from oslotest import base
import sqlalchemy as sa

from karbor.db import migration
from karbor.db import models
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import utils

SQLITE = 'sqlite'

MANAGE_TIMEOUT = 60


class _BackendMixin:
    """An empty database of ``backend`` for each test, in ``self.url``."""

    backend = None

    def setUp(self):
        super().setUp()
        # The log lines of this process become a detail of a failure.
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        if self.backend == SQLITE:
            self.url = 'sqlite:///%s' % os.path.join(self.tmp,
                                                     'karbor.sqlite')
        else:
            self.url = self.useFixture(
                ft_fixtures.Database(self.backend)).url


class _ModelsMigrationsSync(_BackendMixin,
                            test_migrations.ModelsMigrationsSync):
    """Migrate an empty database to head, then compare with the models."""

    def setUp(self):
        super().setUp()
        self.engine = engines.create_engine(self.url)
        self.addCleanup(self.engine.dispose)

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        migration.upgrade('head', engine=engine)


class TestModelsMigrationsSyncSQLite(_ModelsMigrationsSync,
                                     base.BaseTestCase):
    backend = SQLITE


class TestModelsMigrationsSyncMySQL(_ModelsMigrationsSync,
                                    base.BaseTestCase):
    backend = ft_fixtures.MYSQL


class TestModelsMigrationsSyncPostgreSQL(_ModelsMigrationsSync,
                                         base.BaseTestCase):
    backend = ft_fixtures.POSTGRESQL


class _ManageDb(_BackendMixin):
    """``karbor-manage db ...`` as a subprocess, on a config file."""

    def setUp(self):
        super().setUp()
        self.config_file = utils.write_config(
            os.path.join(self.tmp, 'karbor.conf'),
            {'DEFAULT': {'state_path': os.path.join(self.tmp, 'state')},
             'database': {'connection': self.url}})

    def manage(self, *args):
        """The last line a successful karbor-manage run prints.

        That line is the command's answer; the log lines of the process
        (oslo.log writes to stdout when no log file is set) come before.
        """
        result = subprocess.run(
            [utils.executable('karbor-manage'),
             '--config-file', self.config_file] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=MANAGE_TIMEOUT)
        stdout = result.stdout.decode('utf-8', 'replace')
        stderr = result.stderr.decode('utf-8', 'replace')
        self.assertEqual(
            0, result.returncode,
            'karbor-manage %s failed (exit %s) on %s\nstdout:\n%s\n'
            'stderr:\n%s' % (' '.join(args), result.returncode,
                             self.backend, stdout, stderr))
        lines = stdout.strip().splitlines()
        return lines[-1].strip() if lines else ''

    def table_names(self):
        engine = engines.create_engine(self.url)
        try:
            return set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()

    def test_sync_then_version(self):
        head = migration.head()
        self.assertIsNotNone(head)

        before = self.manage('db', 'version')
        self.assertTrue(before.startswith('None'),
                        'db version of an empty database: %r' % before)

        synced = self.manage('db', 'sync')
        self.assertIn(head, synced)
        self.assertEqual(head, self.manage('db', 'version'))
        self.assertIn('services', self.table_names())

    def test_sync_twice_is_idempotent(self):
        head = migration.head()
        self.manage('db', 'sync')
        tables = self.table_names()
        second = self.manage('db', 'sync')
        self.assertIn(head, second)
        self.assertEqual(head, self.manage('db', 'version'))
        self.assertEqual(tables, self.table_names())


class TestManageDbSQLite(_ManageDb, base.BaseTestCase):
    backend = SQLITE


class TestManageDbMySQL(_ManageDb, base.BaseTestCase):
    backend = ft_fixtures.MYSQL


class TestManageDbPostgreSQL(_ManageDb, base.BaseTestCase):
    backend = ft_fixtures.POSTGRESQL
