"""/v1/{project_id}/os-services: list, filters, state, enable/disable."""

from karbor.db import services as services_db
from karbor.tests.unit.api import base
from karbor.tests.unit import helpers


class ServicesApiTest(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(helpers.FrozenTime())

    def list(self, query='', token=base.ADMIN):
        return self.request('GET', self.url('os-services' + query),
                            token=token, status=200).json['services']

    def put(self, service_id, body, status=200):
        return self.request('PUT', self.url('os-services/%s' % service_id),
                            body=body, status=status)

    def test_empty(self):
        self.assertEqual([], self.list())

    def test_reported_service_is_up_with_every_field(self):
        row = services_db.service_report('node1', 'karbor-protection',
                                         'karbor-protection')
        self.assertEqual([{
            'id': row.id,
            'binary': 'karbor-protection',
            'host': 'node1',
            'status': 'enabled',
            'state': 'up',
            'updated_at': '2026-01-02T03:04:05',
            'disabled_reason': None,
        }], self.list())

    def test_state_follows_heartbeat_age(self):
        self.conf.config(service_down_time=60)
        services_db.service_report('node1', 'karbor-protection')
        self.clock.advance(60)
        self.assertEqual('up', self.list()[0]['state'])
        self.clock.advance(1)
        service = self.list()[0]
        self.assertEqual('down', service['state'])
        # updated_at is the last heartbeat, not now.
        self.assertEqual('2026-01-02T03:04:05', service['updated_at'])
        # A new heartbeat brings it back.
        services_db.service_report('node1', 'karbor-protection')
        self.assertEqual('up', self.list()[0]['state'])

    def test_service_down_time_is_read_per_request(self):
        services_db.service_report('node1', 'karbor-protection')
        self.clock.advance(30)
        self.assertEqual('up', self.list()[0]['state'])
        self.conf.config(service_down_time=10)
        self.assertEqual('down', self.list()[0]['state'])

    def test_service_without_heartbeat_is_down(self):
        row = services_db.service_report('node1', 'karbor-protection')
        services_db.service_update(row.id, {'last_heartbeat': None})
        service = self.list()[0]
        self.assertEqual('down', service['state'])
        self.assertIsNotNone(service['updated_at'])

    def test_filters(self):
        a = services_db.service_report('node1', 'karbor-protection').id
        b = services_db.service_report('node1', 'karbor-api').id
        c = services_db.service_report('node2', 'karbor-protection').id

        def ids(query):
            return [s['id'] for s in self.list(query)]

        self.assertEqual([a, b, c], ids(''))
        self.assertEqual([a, b], ids('?host=node1'))
        self.assertEqual([a, c], ids('?binary=karbor-protection'))
        self.assertEqual([c], ids('?host=node2&binary=karbor-protection'))
        self.assertEqual([], ids('?host=node3'))
        self.assertEqual([], ids('?host=node2&binary=karbor-api'))

    def test_disable_with_reason_then_enable(self):
        row = services_db.service_report('node1', 'karbor-protection')
        resp = self.put(row.id, {'status': 'disabled',
                                 'disabled_reason': 'maintenance'})
        expected = {
            'id': row.id,
            'binary': 'karbor-protection',
            'host': 'node1',
            'status': 'disabled',
            'state': 'up',
            'updated_at': '2026-01-02T03:04:05',
            'disabled_reason': 'maintenance',
        }
        self.assertEqual('application/json', resp.content_type)
        self.assertEqual({'service': expected}, resp.json)
        self.assertEqual([expected], self.list())
        stored = services_db.service_get(row.id)
        self.assertTrue(stored.disabled)
        self.assertEqual('maintenance', stored.disabled_reason)

        resp = self.put(row.id, {'status': 'enabled'})
        expected.update(status='enabled', disabled_reason=None)
        self.assertEqual({'service': expected}, resp.json)
        self.assertEqual([expected], self.list())
        self.assertFalse(services_db.service_get(row.id).disabled)

    def test_enable_drops_a_reason_sent_with_it(self):
        row = services_db.service_report('node1', 'karbor-protection')
        resp = self.put(row.id, {'status': 'enabled',
                                 'disabled_reason': 'ignored'})
        self.assertIsNone(resp.json['service']['disabled_reason'])

    def test_disable_without_reason(self):
        row = services_db.service_report('node1', 'karbor-protection')
        for body in ({'status': 'disabled'},
                     {'status': 'disabled', 'disabled_reason': None}):
            resp = self.put(row.id, body)
            self.assertEqual('disabled', resp.json['service']['status'])
            self.assertIsNone(resp.json['service']['disabled_reason'])

    def test_heartbeat_keeps_disabled_state(self):
        row = services_db.service_report('node1', 'karbor-protection')
        self.put(row.id, {'status': 'disabled', 'disabled_reason': 'r'})
        services_db.service_report('node1', 'karbor-protection')
        service = self.list()[0]
        self.assertEqual(('disabled', 'r'),
                         (service['status'], service['disabled_reason']))

    def test_member_changes_nothing(self):
        row = services_db.service_report('node1', 'karbor-protection')
        resp = self.request('PUT', self.url('os-services/%s' % row.id),
                            token=base.MEMBER, body={'status': 'disabled'})
        self.assertFault(resp, 403, 'forbidden')
        self.assertFalse(services_db.service_get(row.id).disabled)

    def test_policy_is_checked_before_the_body(self):
        resp = self.request('PUT', self.url('os-services/1'),
                            token=base.MEMBER, raw='{not json')
        self.assertFault(resp, 403, 'forbidden')
