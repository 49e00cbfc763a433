"""Exactly-once claims of scheduled runs on SQLite, MariaDB and
PostgreSQL: several operation engines pass at the same instants over the
same scheduled operations; each due time is claimed by one of them.

The work of a claimed run is recorded, not cast (``execute`` is replaced
by a recorder): what is tested is the claim, the database's unique key
on (scheduled_operation_id, due_at).
"""

import collections
import datetime
import os
import threading

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import engines
from oslotest import base

from karbor.common import config
from karbor.db import api as db_api
from karbor.db import migration
from karbor.db import scheduled_operations as operations_db
from karbor.db import triggers as triggers_db
from karbor.services.operationengine import engine as engine_module
from karbor.tests.functional import fixtures as ft_fixtures

ENGINES = 4
START = datetime.datetime(2026, 12, 1, 10, 0, 0)


class _ClaimRace:

    backend = None

    def setUp(self):
        super().setUp()
        config.register_all(cfg.CONF)
        conf = self.useFixture(config_fixture.Config(cfg.CONF))
        cfg.CONF([], project='karbor', default_config_files=[])
        self.state_path = self.useFixture(fixtures.TempDir()).path
        # patch_engine starts the enginefacade, which opens the configured
        # database first: a test run alone had none it could open.
        conf.config(state_path=self.state_path)
        if self.backend == 'sqlite':
            url = 'sqlite:///%s' % os.path.join(self.state_path,
                                                'claims.sqlite')
        else:
            url = self.useFixture(ft_fixtures.Database(self.backend)).url
        engine = db_api.tune_sqlite(engines.create_engine(url))
        self.addCleanup(engine.dispose)
        migration.upgrade('head', engine=engine)
        self.addCleanup(enginefacade._context_manager.patch_engine(engine))
        self.executed = collections.Counter()
        self.lock = threading.Lock()
        self.now = START

    def operation(self, pattern, window=60):
        trigger = triggers_db.trigger_create({
            'project_id': 'p1', 'name': 't', 'type': 'time',
            'properties': {'format': 'crontab', 'pattern': pattern,
                           'window': window,
                           'start_time': '2026-12-01T09:00:00'},
            'created_at': START})
        return operations_db.scheduled_operation_create({
            'project_id': 'p1', 'name': 'so', 'operation_type': 'protect',
            'trigger_id': trigger.id, 'enabled': True,
            'operation_definition': {'plan_id': 'x', 'provider_id': 'y'},
            'created_at': START})

    def engines(self):
        made = []
        for i in range(ENGINES):
            engine = engine_module.Engine(host='engine-%d' % i,
                                          clock=lambda: self.now,
                                          heartbeat=False)

            def record(operation, run, now, host=engine.host):
                with self.lock:
                    self.executed[(operation.id, run.due_at)] += 1

            engine.execute = record
            made.append(engine)
        return made

    def race(self, engines):
        barrier = threading.Barrier(len(engines))
        errors = []

        def one(engine):
            barrier.wait()
            try:
                for operation, trigger in \
                        operations_db.enabled_with_triggers():
                    engine.schedule_one(operation, trigger, self.now)
            except Exception as e:  # reported below, with the backend
                errors.append(e)

        threads = [threading.Thread(target=one, args=(e,)) for e in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], errors)

    def test_each_due_time_runs_once(self):
        every_minute = self.operation('* * * * *')
        every_two = self.operation('*/2 * * * *')
        engines = self.engines()
        for minute in range(1, 9):
            self.now = START + datetime.timedelta(minutes=minute, seconds=2)
            self.race(engines)
        # Down for 5 minutes, then back: the last due time runs (within
        # its window), those before it are missed, once each.
        self.now = START + datetime.timedelta(minutes=14, seconds=20)
        self.race(engines)
        self.race(engines)
        for op, expected_runs in ((every_minute, 14), (every_two, 7)):
            runs = operations_db.runs_get(op.id)
            dues = [r.due_at for r in runs]
            self.assertEqual(len(dues), len(set(dues)))
            self.assertEqual(expected_runs, len(runs))
            ran = [r for r in runs if r.status == 'running']
            for run in ran:
                self.assertEqual(1, self.executed[(op.id, run.due_at)])
            self.assertEqual(len(ran), sum(
                n for (o, _d), n in self.executed.items() if o == op.id))
        minute_runs = operations_db.runs_get(every_minute.id)
        self.assertEqual(['running'] * 8 + ['missed'] * 5 + ['running'],
                         [r.status for r in minute_runs])
        self.assertEqual(len(self.executed), sum(self.executed.values()))


class SQLiteClaimTest(_ClaimRace, base.BaseTestCase):
    backend = 'sqlite'


class MySQLClaimTest(_ClaimRace, base.BaseTestCase):
    backend = ft_fixtures.MYSQL


class PostgreSQLClaimTest(_ClaimRace, base.BaseTestCase):
    backend = ft_fixtures.POSTGRESQL
