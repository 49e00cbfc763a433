"""oslo.middleware in the pipeline of karbor-api: the health check, the
proxy headers, CORS, the request id; and the Server-Timing header."""

import json
import re

from oslo_config import cfg
import webtest

from karbor.tests.unit.api import base


class HealthcheckTest(base.ApiTestCase):

    def test_answers_without_a_token(self):
        resp = self.app.get('/healthcheck', expect_errors=True)
        self.assertEqual(200, resp.status_int, resp.text)
        resp = self.app.get('/healthcheck', expect_errors=True,
                            headers={'Accept': 'application/json'})
        self.assertEqual(200, resp.status_int, resp.text)
        self.assertEqual('application/json', resp.content_type)

    def test_behind_keystone_too(self):
        """No Keystone is contacted: a request without a token is refused
        by keystonemiddleware on its own."""
        self.conf.config(auth_strategy='keystone')
        # auth_type none: a plugin without required options, since
        # keystonemiddleware registers the plugin's on the global options.
        self.conf.config(www_authenticate_uri='http://keystone.test/v3',
                         auth_type='none', group='keystone_authtoken')
        self.make_app()
        resp = self.app.get('/healthcheck', expect_errors=True)
        self.assertEqual(200, resp.status_int, resp.text)

    def test_disabled_by_file(self):
        path = self.state_path + '/maintenance'
        open(path, 'w').close()
        self.conf.config(backends=['disable_by_file'],
                         group='healthcheck')
        self.make_app()  # the backend registers its options
        self.conf.config(disable_by_file_path=path, group='healthcheck')
        resp = self.app.get('/healthcheck', expect_errors=True)
        self.assertEqual(503, resp.status_int, resp.text)


class KeystoneOptionsTest(base.ApiTestCase):

    def test_keystone_without_its_options_does_not_start(self):
        self.conf.config(auth_strategy='keystone')
        e = self.assertRaises(cfg.RequiredOptError, self.make_app)
        self.assertIn('www_authenticate_uri and auth_type', str(e))
        self.assertIn('keystone_authtoken', str(e))


class ProxyHeadersTest(base.ApiTestCase):

    def version_link(self, **headers):
        resp = self.request('GET', '/', token=None, headers=headers,
                            status=200)
        return resp.json['versions'][0]['links'][0]['href']

    def test_links_follow_x_forwarded_proto_when_enabled(self):
        self.assertTrue(self.version_link().startswith('http://'))
        # Not trusted unless the operator says a proxy sets them.
        self.assertTrue(self.version_link(
            **{'X-Forwarded-Proto': 'https'}).startswith('http://'))
        self.conf.config(enable_proxy_headers_parsing=True,
                         group='oslo_middleware')
        self.make_app()
        self.assertEqual('https://karbor.example/v1/', self.version_link(
            **{'X-Forwarded-Proto': 'https',
               'X-Forwarded-Host': 'karbor.example'}))


class CorsTest(base.ApiTestCase):

    ORIGIN = 'http://horizon.example'

    def setUp(self):
        super().setUp()
        self.conf.config(allowed_origin=[self.ORIGIN], group='cors')
        self.make_app()

    def test_preflight(self):
        resp = self.app.options(
            '/v1/p1/plans', headers={
                'Origin': self.ORIGIN,
                'Access-Control-Request-Method': 'POST',
                'Access-Control-Request-Headers': 'X-Auth-Token'},
            expect_errors=True)
        self.assertEqual(200, resp.status_int, resp.text)
        self.assertEqual(self.ORIGIN,
                         resp.headers['Access-Control-Allow-Origin'])
        self.assertIn('POST', resp.headers['Access-Control-Allow-Methods'])

    def test_answers_and_errors_carry_the_headers(self):
        for path, status in (('/v1/p1/plans', 200),
                             ('/v1/p1/nothing', 404)):
            resp = self.request('GET', path,
                                headers={'Origin': self.ORIGIN},
                                status=status)
            self.assertEqual(self.ORIGIN,
                             resp.headers['Access-Control-Allow-Origin'])
            self.assertIn('X-Openstack-Request-Id',
                          resp.headers['Access-Control-Expose-Headers'])
        self.assertIn('itemNotFound', json.loads(resp.text))

    def test_other_origins_get_nothing(self):
        resp = self.request('GET', '/v1/p1/plans',
                            headers={'Origin': 'http://evil.example'},
                            status=200)
        self.assertNotIn('Access-Control-Allow-Origin', resp.headers)


class CorsNotConfiguredTest(base.ApiTestCase):
    """Without an allowed origin, CORS sees OPTIONS only: a preflight is
    answered 200 without CORS headers, as oslo.middleware answers it."""

    def test_preflight_without_origins(self):
        resp = self.app.options(
            '/v1/p1/plans', headers={
                'Origin': 'http://horizon.example',
                'Access-Control-Request-Method': 'POST'},
            expect_errors=True)
        self.assertEqual(200, resp.status_int, resp.text)
        self.assertNotIn('Access-Control-Allow-Origin', resp.headers)

    def test_requests_get_no_cors_headers(self):
        resp = self.request('GET', '/v1/p1/plans',
                            headers={'Origin': 'http://horizon.example'},
                            status=200)
        self.assertNotIn('Access-Control-Allow-Origin', resp.headers)


class RequestIdTest(base.ApiTestCase):

    def test_each_answer_has_its_own_id(self):
        ids = {self.request('GET', self.url('plans'), status=200).headers[
            'x-openstack-request-id'] for _ in range(3)}
        self.assertEqual(3, len(ids))

    def test_the_environ_gets_the_ids(self):
        from karbor.api.middleware import request_id
        seen = {}

        def app(environ, start_response):
            seen.update(environ)
            start_response('204 No Content', [])
            return []
        wrapped = webtest.TestApp(request_id.RequestId(app))
        inbound = 'req-0123abcd-0123-0123-0123-0123456789ab'
        resp = wrapped.get('/', headers={'X-Openstack-Request-Id': inbound})
        self.assertEqual(inbound, seen['openstack.global_request_id'])
        self.assertEqual(seen['openstack.request_id'],
                         resp.headers['x-openstack-request-id'])
        self.assertNotEqual(inbound, seen['openstack.request_id'])
        seen.clear()
        wrapped.get('/', headers={'X-Openstack-Request-Id': 'bogus'})
        self.assertNotIn('openstack.global_request_id', seen)


class ServerTimingTest(base.ApiTestCase):

    def test_off_by_default(self):
        resp = self.request('GET', self.url('plans'), status=200)
        self.assertNotIn('Server-Timing', resp.headers)

    def test_every_answer_says_its_time(self):
        self.conf.config(server_timing=True, group='api')
        self.make_app()
        for path, status in ((self.url('plans'), 200),
                             (self.url('nothing'), 404)):
            resp = self.request('GET', path, status=status)
            match = re.match(r'^app;dur=(\d+\.\d{3})$',
                             resp.headers['Server-Timing'])
            self.assertIsNotNone(match, resp.headers['Server-Timing'])
            self.assertGreater(float(match.group(1)), 0.0)
