"""SQLite (karbor-all): reads begin deferred, writes immediate, and the
connections to the file are pooled. Real SQLite files, no mocks."""

import sqlite3

from karbor.db import api as db_api
from karbor.db import models
from karbor.db import plans as plans_db
from karbor.tests import base


def _plan(plan_id, project='p1'):
    return {'id': plan_id, 'project_id': project, 'name': 'n',
            'provider_id': 'prov', 'status': 'suspended', 'resources': [],
            'parameters': {}}


class SqliteReadsTest(base.TestCase):

    def _path(self):
        return self.db.url[len('sqlite:///'):]

    def _hold_write_lock(self):
        """Another connection holds the write lock until cleanup."""
        other = sqlite3.connect(self._path(), timeout=0,
                                isolation_level=None)
        other.execute('BEGIN IMMEDIATE')
        self.addCleanup(other.close)
        self.addCleanup(other.execute, 'ROLLBACK')
        return other

    def test_a_read_does_not_wait_for_a_writer(self):
        db_api.create(models.Plan, _plan('a'))
        self._hold_write_lock()
        # A deferred read proceeds (WAL) while another connection holds
        # the write lock; an immediate one would wait the busy timeout.
        self.engine_timeout(0)
        rows = plans_db.plan_get_all(project_id='p1')
        self.assertEqual(['a'], [r.id for r in rows])
        self.assertEqual('a', db_api.get_one(
            models.Plan, 'a', KeyError('a')).id)

    def test_a_write_still_takes_the_lock_first(self):
        db_api.create(models.Plan, _plan('b'))
        self._hold_write_lock()
        self.engine_timeout(0)

        def read_in_a_writer():
            with db_api.writer() as session:
                return session.get(models.Plan, 'b')

        # Even its first statement, a read, needs the write lock.
        error = self.assertRaises(Exception, read_in_a_writer)
        self.assertIn('locked', str(error))

    def test_a_read_inside_a_write_is_the_writes_transaction(self):
        db_api.create(models.Plan, _plan('c'))
        with db_api.writer() as session:
            # The reader joins the writer: the BEGIN it emits first is
            # the writer's, immediate; a write after it goes through.
            self.assertEqual(1, len(plans_db.plan_get_all(project_id='p1')))
            session.add(models.Plan(**_plan('d')))
        self.assertEqual({'c', 'd'}, {r.id for r in plans_db.plan_get_all(
            project_id='p1')})
        self.assertFalse(getattr(db_api._READING, 'active', False))

    def test_connections_are_reused(self):
        engine = self.db.engine
        self.assertIsInstance(engine.pool, db_api.sa.pool.QueuePool)
        seen = set()
        for _ in range(5):
            with engine.connect() as conn:
                seen.add(id(conn.connection.dbapi_connection))
        self.assertEqual(1, len(seen))
        with engine.connect() as conn:
            self.assertEqual(
                db_api.SQLITE_BUSY_TIMEOUT_MS,
                conn.exec_driver_sql('PRAGMA busy_timeout').scalar())

    def test_commits_go_to_the_log_without_a_flush_each(self):
        # WAL with synchronous NORMAL (1) by default; no pre-ping query
        # at each checkout of a connection to the local file.
        engine = self.db.engine
        self.assertFalse(engine.pool._pre_ping)
        with engine.connect() as conn:
            self.assertEqual(
                'wal', conn.exec_driver_sql('PRAGMA journal_mode').scalar())
            self.assertEqual(
                1, conn.exec_driver_sql('PRAGMA synchronous').scalar())

    def test_full_synchronous_when_configured(self):
        self.conf.config(sqlite_synchronous='FULL')
        raw = self.db.engine.pool._creator()
        try:
            db_api._sqlite_on_connect(raw, None)
            self.assertEqual(
                2, raw.execute('PRAGMA synchronous').fetchone()[0])
        finally:
            raw.close()

    def test_plain_rows_have_the_columns_of_the_model(self):
        db_api.create(models.Plan, _plan('e'))
        row, = plans_db.plan_get_all(project_id='p1', plain=True)
        self.assertEqual(('e', 'p1', 'suspended', [], {}),
                         (row.id, row.project_id, row.status, row.resources,
                          row.parameters))
        self.assertIsNotNone(row.created_at)

    def test_a_plain_read_does_not_wait_for_a_writer(self):
        db_api.create(models.Plan, _plan('f'))
        self._hold_write_lock()
        self.engine_timeout(0)
        rows = plans_db.plan_get_all(project_id='p1', plain=True)
        self.assertEqual(['f'], [r.id for r in rows])
        self.assertFalse(getattr(db_api._READING, 'active', False))

    def test_a_plain_read_inside_a_write_sees_the_write(self):
        with db_api.writer() as session:
            session.add(models.Plan(**_plan('g')))
            session.flush()
            self.assertEqual(['g'], [r.id for r in plans_db.plan_get_all(
                project_id='p1', plain=True)])
        self.assertFalse(getattr(db_api._READING, 'active', False))

    def test_plain_lists_of_one_shape_take_each_requests_values(self):
        # The statement of a shape is built once; its values are not.
        for plan_id, project, status in (('h1', 'p1', 'suspended'),
                                         ('h2', 'p1', 'started'),
                                         ('h3', 'p2', 'started')):
            db_api.create(models.Plan, dict(_plan(plan_id, project),
                                            status=status))

        def ids(**kwargs):
            return [r.id for r in plans_db.plan_get_all(
                plain=True, sort_keys=['id'], sort_dirs=['asc'], **kwargs)]
        self.assertEqual(['h1'], ids(project_id='p1',
                                     filters={'status': 'suspended'}))
        self.assertEqual(['h2'], ids(project_id='p1',
                                     filters={'status': 'started'}))
        self.assertEqual(['h3'], ids(project_id='p2',
                                     filters={'status': 'started'}))
        self.assertEqual(['h2', 'h3'], ids(filters={'status': ['started']}))
        self.assertEqual(['h1', 'h2', 'h3'], ids(
            filters={'status': ['started', 'suspended']}))
        self.assertEqual([], ids(filters={'status': []}))
        self.assertEqual(['h1'], ids(project_id='p1', limit=1))
        self.assertEqual(['h1', 'h2'], ids(project_id='p1', limit=5))
        # After a marker (the statement is made for the request), and a
        # marker of another project is no marker.
        self.assertEqual(['h2'], ids(project_id='p1', marker='h1'))
        self.assertEqual(['h3'], ids(marker='h2', limit=1))
        from karbor.common import exception
        self.assertRaises(exception.MarkerNotFound, ids, project_id='p2',
                          marker='h1')

    def engine_timeout(self, milliseconds):
        """Every pooled connection gives up at once on a lock."""
        engine = self.db.engine
        engine.dispose()
        old = db_api.SQLITE_BUSY_TIMEOUT_MS
        db_api.SQLITE_BUSY_TIMEOUT_MS = milliseconds
        self.addCleanup(setattr, db_api, 'SQLITE_BUSY_TIMEOUT_MS', old)
        self.addCleanup(engine.dispose)
