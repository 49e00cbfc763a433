"""Every error leaves the API as a JSON fault, whoever raised it."""

import fixtures

from karbor.api.middleware import auth
from karbor.common import exception
from karbor.db import services as services_db
from karbor.tests.unit.api import base

GENERIC_500 = ('The server met an unexpected error; it is logged with the '
               'request id of this response.')


class RoutingErrorsTest(base.ApiTestCase):

    def test_unknown_paths_are_item_not_found(self):
        for path in ('/nothing', '/v2/', '/v1/p1/nothing', '/v1/p1',
                     '/v1/p1/', '/v1/p1/os-services.json'):
            self.assertFault(self.request('GET', path), 404, 'itemNotFound')

    def test_wrong_method_is_bad_method_with_allow(self):
        # Allow lists the methods of the path asked for: the collection's
        # or the item's.
        for method, path, allow in (('DELETE', 'os-services', {'GET'}),
                                    ('POST', 'os-services', {'GET'}),
                                    ('POST', 'os-services/1', {'GET', 'PUT'}),
                                    ('DELETE', 'os-services/1',
                                     {'GET', 'PUT'})):
            resp = self.request(method, self.url(path),
                                body={'status': 'enabled'}
                                if method == 'POST' else None)
            message = self.assertFault(resp, 405, 'badMethod')
            self.assertIn(method, message)
            self.assertEqual(allow,
                             {m.strip() for m in
                              resp.headers['Allow'].split(',')})

    def test_put_on_collection_is_bad_method(self):
        # pecan calls put() without an id; that used to be a 500.
        for body in ({'status': 'enabled'}, None):
            resp = self.request('PUT', self.url('os-services'), body=body)
            self.assertFault(resp, 405, 'badMethod')
            self.assertEqual('GET', resp.headers['Allow'])

    def test_success_carries_request_id(self):
        # request() checks the x-openstack-request-id header of each answer.
        self.request('GET', self.url('os-services'), status=200)
        first = self.request('GET', '/', status=200)
        second = self.request('GET', '/', status=200)
        self.assertNotEqual(first.headers['x-openstack-request-id'],
                            second.headers['x-openstack-request-id'])


class BodyErrorsTest(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.service = services_db.service_report('h1', 'karbor-protection')

    def put(self, **kwargs):
        return self.request('PUT', self.url('os-services/%s' %
                                            kwargs.pop('id', self.service.id)),
                            **kwargs)

    def test_malformed_json(self):
        message = self.assertFault(self.put(raw='{"status": '), 400,
                                   'badRequest')
        self.assertIn('not valid JSON', message)

    def test_invalid_utf8(self):
        self.assertFault(self.put(raw=b'{"status": "\xff"}'), 400,
                         'badRequest')

    def test_missing_body(self):
        message = self.assertFault(self.put(), 400, 'badRequest')
        self.assertIn('no body', message)

    def test_body_not_an_object(self):
        for body in ([], 'enabled', None, 1):
            raw = 'null' if body is None else None
            resp = self.put(body=body, raw=raw) if raw is None else \
                self.put(raw=raw)
            self.assertFault(resp, 400, 'badRequest')

    def test_unknown_field(self):
        message = self.assertFault(
            self.put(body={'status': 'enabled', 'colour': 'red'}), 400,
            'badRequest')
        self.assertIn("'colour'", message)

    def test_missing_status(self):
        message = self.assertFault(self.put(body={'disabled_reason': 'x'}),
                                   400, 'badRequest')
        self.assertIn('status', message)

    def test_status_not_in_enum(self):
        message = self.assertFault(self.put(body={'status': 'off'}), 400,
                                   'badRequest')
        self.assertIn("'off'", message)

    def test_reason_too_long(self):
        self.assertFault(
            self.put(body={'status': 'disabled',
                           'disabled_reason': 'x' * 256}),
            400, 'badRequest')

    def test_non_integer_service_id(self):
        message = self.assertFault(
            self.put(id='abc', body={'status': 'enabled'}), 404,
            'itemNotFound')
        self.assertIn('abc', message)

    def test_unknown_service_id(self):
        message = self.assertFault(
            self.put(id=self.service.id + 1000, body={'status': 'enabled'}),
            404, 'itemNotFound')
        self.assertIn(str(self.service.id + 1000), message)

    def test_out_of_range_service_ids(self):
        for service_id in ('0', '-1', str(2 ** 31), str(2 ** 64), '1e3'):
            self.assertFault(
                self.put(id=service_id, body={'status': 'enabled'}), 404,
                'itemNotFound')

    def test_unknown_query_parameter(self):
        resp = self.request('GET', self.url('os-services?colour=red'))
        message = self.assertFault(resp, 400, 'badRequest')
        self.assertIn('colour', message)
        self.assertIn('host', message)

    def test_repeated_query_parameter(self):
        # Used to reach the database as a list: a 500.
        resp = self.request('GET', self.url('os-services?host=a&host=b'))
        message = self.assertFault(resp, 400, 'badRequest')
        self.assertIn('more than once: host', message)

    def test_oversize_body(self):
        # setup_app() registered [oslo_middleware]; the limit is read per
        # request.
        self.conf.config(max_request_body_size=64, group='oslo_middleware')
        resp = self.put(body={'status': 'disabled',
                              'disabled_reason': 'x' * 100})
        message = self.assertFault(resp, 413, 'overLimit')
        self.assertIn('larger than 64 bytes', message)
        # The service was not touched.
        self.assertFalse(services_db.service_get(self.service.id).disabled)
        # A body under the limit still goes through.
        self.put(body={'status': 'disabled'}, status=200)


class UnexpectedErrorsTest(base.ApiTestCase):

    def test_handler_exception_is_500_without_detail(self):
        self.useFixture(fixtures.MockPatchObject(
            services_db, 'service_get_all',
            side_effect=RuntimeError('secret detail')))
        resp = self.request('GET', self.url('os-services'))
        message = self.assertFault(resp, 500, 'computeFault')
        self.assertEqual(GENERIC_500, message)
        self.assertNotIn('secret detail', resp.text)
        self.assertNotIn('Traceback', resp.text)

    def test_unsafe_karbor_exception_hides_its_message(self):
        self.useFixture(fixtures.MockPatchObject(
            services_db, 'service_get_all',
            side_effect=exception.DBError(reason='secret detail')))
        resp = self.request('GET', self.url('os-services'))
        self.assertEqual(GENERIC_500,
                         self.assertFault(resp, 500, 'computeFault'))
        self.assertNotIn('secret detail', resp.text)

    def test_safe_karbor_exception_keeps_its_code_and_message(self):
        self.useFixture(fixtures.MockPatchObject(
            services_db, 'service_get_all',
            side_effect=exception.ServiceUnavailable(reason='try later')))
        resp = self.request('GET', self.url('os-services'))
        self.assertEqual(
            'Service unavailable: try later',
            self.assertFault(resp, 503, 'serviceUnavailable'))

    def test_middleware_exception_is_500_without_detail(self):
        self.useFixture(fixtures.MockPatchObject(
            auth, 'parse_noauth_token',
            side_effect=RuntimeError('secret detail')))
        resp = self.request('GET', self.url('os-services'))
        self.assertEqual(GENERIC_500,
                         self.assertFault(resp, 500, 'computeFault'))
        self.assertNotIn('secret detail', resp.text)
