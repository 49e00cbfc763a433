"""karbor.db.services: heartbeats and the services table."""

import datetime

import fixtures
from oslo_db import exception as db_exc

from karbor.common import exception
from karbor.db import api as db_api
from karbor.db import models
from karbor.db import services as services_db
from karbor.tests import base
from karbor.tests.unit import helpers


class ServiceReportTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(helpers.FrozenTime())

    def test_first_report_creates_the_row(self):
        row = services_db.service_report('node1', 'karbor-protection',
                                         'topic-a')
        self.assertIsInstance(row.id, int)
        self.assertEqual(
            ('node1', 'karbor-protection', 'topic-a', 1, False, None,
             self.clock.now, self.clock.now),
            (row.host, row.binary, row.topic, row.report_count,
             row.disabled, row.disabled_reason, row.last_heartbeat,
             row.created_at))

    def test_next_reports_update_the_same_row(self):
        first = services_db.service_report('node1', 'karbor-protection',
                                           'topic-a')
        beat = self.clock.advance(10)
        second = services_db.service_report('node1', 'karbor-protection',
                                            'topic-b')
        self.assertEqual(first.id, second.id)
        self.assertEqual(2, second.report_count)
        self.assertEqual('topic-b', second.topic)
        self.assertEqual(beat, second.last_heartbeat)
        stored = services_db.service_get(first.id)
        self.assertEqual((2, beat, first.created_at),
                         (stored.report_count, stored.last_heartbeat,
                          stored.created_at))
        self.assertEqual(1, len(services_db.service_get_all()))

    def test_one_row_per_host_and_binary(self):
        services_db.service_report('node1', 'karbor-protection')
        services_db.service_report('node1', 'karbor-api')
        services_db.service_report('node2', 'karbor-protection')
        services_db.service_report('node1', 'karbor-protection')
        rows = services_db.service_get_all()
        self.assertEqual(
            [('node1', 'karbor-protection', 2), ('node1', 'karbor-api', 1),
             ('node2', 'karbor-protection', 1)],
            [(r.host, r.binary, r.report_count) for r in rows])

    def test_database_refuses_duplicate_host_and_binary(self):
        services_db.service_report('node1', 'karbor-protection')

        def insert():
            with db_api.writer() as session:
                session.add(models.Service(host='node1',
                                           binary='karbor-protection',
                                           report_count=0, disabled=False))

        self.assertRaises(db_exc.DBDuplicateEntry, insert)

    def test_report_survives_a_concurrent_insert(self):
        # Another process creates the row between our read and our insert:
        # the report updates that row instead of failing.
        real = services_db._service_report
        calls = []

        def racing(host, binary, topic):
            calls.append(host)
            if len(calls) == 1:
                real(host, binary, topic)
                raise db_exc.DBDuplicateEntry(columns=['host', 'binary'])
            return real(host, binary, topic)

        self.useFixture(fixtures.MockPatchObject(
            services_db, '_service_report', side_effect=racing))
        row = services_db.service_report('node1', 'karbor-protection')
        self.assertEqual(2, len(calls))
        self.assertEqual(2, row.report_count)
        self.assertEqual(1, len(services_db.service_get_all()))


class ServiceGetUpdateTest(base.TestCase):

    def test_get(self):
        row = services_db.service_report('node1', 'karbor-protection')
        got = services_db.service_get(row.id)
        self.assertEqual((row.id, 'node1', 'karbor-protection'),
                         (got.id, got.host, got.binary))

    def test_get_unknown_raises_not_found(self):
        e = self.assertRaises(exception.ServiceNotFound,
                              services_db.service_get, 42)
        self.assertEqual('Service 42 could not be found.', str(e))
        self.assertEqual(404, e.code)

    def test_get_all_filters(self):
        services_db.service_report('node1', 'karbor-protection')
        services_db.service_report('node1', 'karbor-api')
        services_db.service_report('node2', 'karbor-protection')

        def pairs(**filters):
            return [(r.host, r.binary)
                    for r in services_db.service_get_all(**filters)]

        self.assertEqual([('node1', 'karbor-protection'),
                          ('node1', 'karbor-api')], pairs(host='node1'))
        self.assertEqual([('node1', 'karbor-protection'),
                          ('node2', 'karbor-protection')],
                         pairs(binary='karbor-protection'))
        self.assertEqual([('node2', 'karbor-protection')],
                         pairs(host='node2', binary='karbor-protection'))
        self.assertEqual([], pairs(host='node3'))

    def test_update(self):
        row = services_db.service_report('node1', 'karbor-protection')
        updated = services_db.service_update(
            row.id, {'disabled': True, 'disabled_reason': 'maintenance'})
        self.assertTrue(updated.disabled)
        self.assertEqual('maintenance', updated.disabled_reason)
        self.assertIsNotNone(updated.updated_at)
        stored = services_db.service_get(row.id)
        self.assertEqual((True, 'maintenance'),
                         (stored.disabled, stored.disabled_reason))

    def test_update_unknown_raises_not_found(self):
        self.assertRaises(exception.ServiceNotFound,
                          services_db.service_update, 42,
                          {'disabled': True})

    def test_rows_are_usable_after_the_session(self):
        # Rows are expunged: reading attributes must not need a session.
        row = services_db.service_report('node1', 'karbor-protection')
        rows = services_db.service_get_all()
        self.assertIsInstance(rows[0].last_heartbeat, datetime.datetime)
        self.assertEqual(row.id, rows[0].id)

