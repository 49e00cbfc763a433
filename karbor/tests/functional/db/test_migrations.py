"""The alembic migrations against real database servers.

* The models and the migrations describe the same schema (oslo.db's
  ``ModelsMigrationsSync``) on SQLite, MariaDB/MySQL and PostgreSQL;
  taskflow's persistence tables too.
* ``karbor-manage db sync`` / ``db version``, run as the operator runs
  them, bring an empty database to the head revision, and a second sync
  changes nothing.
"""

import datetime
import json
import logging
import os
import subprocess

import fixtures
from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import test_migrations
from oslotest import base
import sqlalchemy as sa
from taskflow.persistence.backends.sqlalchemy import tables as tf_tables

from karbor.db import migration
from karbor.db import models
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import utils

SQLITE = 'sqlite'

MANAGE_TIMEOUT = 60
TASKFLOW_TABLES = ('logbooks', 'flowdetails', 'atomdetails')


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
        # Karbor's models, and taskflow's persistence tables as taskflow
        # defines them (migration 0007 makes them from that definition),
        # with every JSON column LONGTEXT on MySQL (migration 0011, as
        # taskflow's own migrations widen some of them).
        metadata = sa.MetaData()
        for table in models.Base.metadata.tables.values():
            table.to_metadata(metadata)
        tf_tables.fetch(metadata)
        for name in TASKFLOW_TABLES:
            for column in metadata.tables[name].columns:
                if (self.backend == ft_fixtures.MYSQL and
                        isinstance(column.type, tf_tables.JSONType)):
                    column.type = models.long_text()
        return metadata

    def include_object(self, object_, name, type_, reflected, compare_to):
        # taskflow declares its primary keys unique as well; PostgreSQL
        # reflects no separate constraint for that.
        if (type_ == 'unique_constraint' and
                object_.table.name in TASKFLOW_TABLES):
            return False
        return super().include_object(object_, name, type_, reflected,
                                      compare_to)

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

    def run_command(self, name, *args):
        """(exit code, stdout, stderr) of ``name --config-file F args``."""
        result = subprocess.run(
            [utils.executable(name), '--config-file', self.config_file] +
            list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=MANAGE_TIMEOUT)
        return (result.returncode,
                result.stdout.decode('utf-8', 'replace'),
                result.stderr.decode('utf-8', 'replace'))

    def status_check(self):
        """(exit code, {check: (result code, details)}) of
        ``karbor-status upgrade check --json``."""
        code, out, err = self.run_command('karbor-status', 'upgrade',
                                          'check', '--json')
        self.assertIn(code, (0, 1, 2), 'karbor-status failed to run on %s:'
                      '\n%s\n%s' % (self.backend, out, err))
        doc = json.loads(out.strip().splitlines()[-1])
        return code, {c['check']: (c['result'], c['details'])
                      for c in doc['checks']}

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

    def test_purge(self):
        """karbor-manage db purge --before DATE, as an operator runs it:
        the counts it prints, and the rows left (the same cases as
        karbor.tests.unit.db.test_purge, on this database server)."""
        self.manage('db', 'sync')
        old = datetime.datetime(2026, 1, 10, 12, 0)
        new = datetime.datetime(2026, 3, 1, 8, 0)
        engine = engines.create_engine(self.url)
        self.addCleanup(engine.dispose)
        checkpoints = [('c-gone', 'deleted', old), ('c-new', 'deleted', new),
                       ('c-live', 'available', None)]
        verifications = [('v-gone', old), ('v-new', new), ('v-live', None)]
        logs = [('l-gone', 'success', old), ('l-gone2', 'error', old),
                ('l-new', 'success', new), ('l-running', 'protecting', None)]
        with engine.begin() as conn:
            conn.execute(sa.insert(models.Checkpoint), [
                {'id': i, 'project_id': 'p', 'provider_id': 'x',
                 'status': s, 'protection_plan': {}, 'created_at': old,
                 'updated_at': u} for i, s, u in checkpoints])
            conn.execute(sa.insert(models.Verification), [
                {'id': i, 'project_id': 'p', 'provider_id': 'x',
                 'checkpoint_id': 'c', 'status': 'success',
                 'created_at': old, 'deleted_at': d}
                for i, d in verifications])
            conn.execute(sa.insert(models.OperationLog), [
                {'id': i, 'project_id': 'p', 'operation_type': 'protect',
                 'status': s, 'created_at': old, 'ended_at': e}
                for i, s, e in logs])
        self.assertEqual(
            'Would purge before 2026-02-01: checkpoints 1, verifications 1, '
            'operation_logs 2, saved_flows 0',
            self.manage('db', 'purge', '--before', '2026-02-01',
                        '--dry-run'))
        self.assertEqual(
            'Purged before 2026-02-01: checkpoints 1, verifications 1, '
            'operation_logs 2, saved_flows 0',
            self.manage('db', 'purge', '--before', '2026-02-01'))
        with engine.connect() as conn:
            left = {model.__tablename__: sorted(conn.scalars(
                sa.select(model.id))) for model in (
                    models.Checkpoint, models.Verification,
                    models.OperationLog)}
        self.assertEqual({'checkpoints': ['c-live', 'c-new'],
                          'verifications': ['v-live', 'v-new'],
                          'operation_logs': ['l-new', 'l-running']}, left)
        code, out, err = self.run_command('karbor-manage', 'db', 'purge',
                                          '--before', '1 Feb 2026')
        self.assertEqual(1, code)
        self.assertIn('--before must be a date YYYY-MM-DD', err)

    def test_status_upgrade_check(self):
        """karbor-status upgrade check: a failure (2) before db sync, a
        warning (1) without providers, success (0) once a provider loads;
        a provider that cannot load is a failure naming it."""
        code, checks = self.status_check()
        self.assertEqual(2, code)
        self.assertEqual(2, checks['Database schema'][0])
        self.assertIn('karbor-manage db sync', checks['Database schema'][1])

        self.manage('db', 'sync')
        code, checks = self.status_check()
        self.assertEqual((1, 0, 1), (code, checks['Database schema'][0],
                                     checks['Providers'][0]))
        self.assertIn(migration.head(), checks['Database schema'][1])

        providers = os.path.join(self.tmp, 'providers.d')
        os.makedirs(providers)
        utils.write_config(os.path.join(providers, 'fs.conf'), {
            'provider': {'id': 'c0a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b',
                         'name': 'Files', 'bank': 'file_system',
                         'plugin': 'local_directory'},
            'file_system_bank': {'path': os.path.join(self.tmp, 'bank')}})
        code, checks = self.status_check()
        self.assertEqual(0, code, checks)
        self.assertIn('1 provider(s) loaded: Files', checks['Providers'][1])

        utils.write_config(os.path.join(providers, 'broken.conf'), {
            'provider': {'id': 'not-a-uuid', 'name': 'Broken',
                         'bank': 'file_system'}})
        code, checks = self.status_check()
        self.assertEqual(2, code)
        self.assertIn('broken.conf', checks['Providers'][1])
        self.assertIn('not a UUID', checks['Providers'][1])

    def test_checkpoint_rebuild_index(self):
        """karbor-manage checkpoint rebuild-index --provider ID, as an
        operator runs it, on a file-system bank that holds one checkpoint
        index the database does not know."""
        self.manage('db', 'sync')
        provider_id = 'c0a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b'
        bank = os.path.join(self.tmp, 'bank')
        providers = os.path.join(self.tmp, 'providers.d')
        os.makedirs(providers)
        utils.write_config(os.path.join(providers, 'fs.conf'), {
            'provider': {'id': provider_id, 'name': 'Files',
                         'bank': 'file_system', 'plugin': 'local_directory'},
            'file_system_bank': {'path': bank}})
        checkpoint_id = 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6'
        os.makedirs(os.path.join(bank, 'checkpoints', checkpoint_id))
        with open(os.path.join(bank, 'checkpoints', checkpoint_id,
                               'index.json'), 'w') as f:
            json.dump({
                'id': checkpoint_id, 'status': 'available',
                'project_id': 'proj', 'provider_id': provider_id,
                'protection_plan': {'id': 'plan-1', 'name': 'docs',
                                    'resources': []},
                'resource_graph': [{'0': ['OS::Local::Directory', 'r1',
                                          'docs', {}]}, []],
                'extra_info': {'ticket': 'OPS-1'},
                'created_at': '2026-05-04T03:02:01'}, f)
        self.assertEqual(
            'Provider %s: 1 checkpoint(s) in the bank; 1 added, 0 already '
            'indexed, 0 unreadable' % provider_id,
            self.manage('checkpoint', 'rebuild-index', '--provider',
                        provider_id))
        engine = engines.create_engine(self.url)
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            row = conn.execute(sa.select(
                models.Checkpoint.__table__).where(
                    models.Checkpoint.id == checkpoint_id)).one()
        self.assertEqual(
            ('proj', provider_id, 'plan-1', 'available',
             datetime.datetime(2026, 5, 4, 3, 2, 1)),
            (row.project_id, row.provider_id, row.plan_id, row.status,
             row.created_at))
        self.assertIn('r1', row.resource_graph)
        self.assertIn(
            '0 added, 1 already indexed',
            self.manage('checkpoint', 'rebuild-index', '--provider',
                        provider_id))
        code, _out, err = self.run_command(
            'karbor-manage', 'checkpoint', 'rebuild-index', '--provider',
            'e0000000-0000-4000-8000-000000000000')
        self.assertEqual(1, code)
        self.assertIn('e0000000-0000-4000-8000-000000000000', err)

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


class TestTaskflowLargeRowsMySQL(_BackendMixin, base.BaseTestCase):
    """A flow whose saved store is larger than MySQL's TEXT (64 KiB) is
    saved and read back whole after ``db sync`` (migration 0011); before
    it, such a flow (a restore with large parameters) could not start."""

    backend = ft_fixtures.MYSQL

    def test_flow_meta_and_results_over_64k(self):
        from taskflow.persistence.backends import impl_sqlalchemy
        from taskflow.persistence import models as tf_models

        engine = engines.create_engine(self.url)
        self.addCleanup(engine.dispose)
        migration.upgrade('head', engine=engine)
        backend = impl_sqlalchemy.SQLAlchemyBackend(
            {'connection': self.url}, engine=engine)
        big = {'parameters': {'k%05d' % i: 'v' * 64 for i in range(1500)}}
        self.assertGreater(len(json.dumps(big)), 65536)
        book = tf_models.LogBook('restore-big')
        book.meta = {'context': big}
        flow = tf_models.FlowDetail('restore-big', uuid=book.uuid)
        flow.meta = {'store': big}
        atom = tf_models.TaskDetail('injector', 'atom-big')
        atom.results = big
        atom.meta = big
        flow.add(atom)
        book.add(flow)
        conn = backend.get_connection()
        conn.save_logbook(book)
        loaded = conn.get_logbook(book.uuid)
        flow_back = loaded.find(flow.uuid)
        self.assertEqual(big, flow_back.meta['store'])
        self.assertEqual(big, loaded.meta['context'])
        self.assertEqual(big, flow_back.find('atom-big').results)
