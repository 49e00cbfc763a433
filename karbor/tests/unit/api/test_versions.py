"""GET / and GET /v1: the version documents, public in every auth mode."""

from karbor.tests.unit.api import base

V1 = {
    'id': 'v1.0',
    'status': 'CURRENT',
    'version': '1.0',
    'min_version': '1.0',
    'links': [{'rel': 'self', 'href': 'http://localhost/v1/'}],
}


class VersionsTest(base.ApiTestCase):

    def test_root_lists_v1(self):
        resp = self.request('GET', '/', token=None, status=200)
        self.assertEqual('application/json', resp.content_type)
        self.assertEqual({'versions': [V1]}, resp.json)

    def test_v1_with_and_without_slash(self):
        for path in ('/v1', '/v1/'):
            resp = self.request('GET', path, token=None, status=200)
            self.assertEqual('application/json', resp.content_type)
            self.assertEqual({'version': V1}, resp.json)

    def test_only_get_and_head(self):
        for path in ('/', '/v1'):
            self.request('HEAD', path, token=None, status=200)
            for method in ('POST', 'PUT', 'DELETE'):
                resp = self.request(method, path, token=None, status=405)
                self.assertEqual('GET, HEAD', resp.headers['Allow'])
                self.assertIn('badMethod', resp.json)

    def test_links_use_public_endpoint(self):
        self.conf.config(public_endpoint='https://karbor.example.com:8799/',
                         group='api')
        resp = self.request('GET', '/', token=None, status=200)
        self.assertEqual(
            [{'rel': 'self', 'href': 'https://karbor.example.com:8799/v1/'}],
            resp.json['versions'][0]['links'])


class KeystoneVersionsTest(base.ApiTestCase):
    """keystonemiddleware in front; no Keystone is ever contacted: the
    version documents bypass it and a request without token is refused
    before any call (www_authenticate_uri set so that the refusal need not
    discover it)."""

    def setUp(self):
        super().setUp()
        self.conf.config(auth_strategy='keystone')
        # auth_type none: a plugin without required options (they would
        # stay registered on the global options after this test).
        self.conf.config(www_authenticate_uri='http://keystone.invalid/v3',
                         auth_type='none', group='keystone_authtoken')
        self.make_app()

    def test_version_documents_need_no_token(self):
        self.assertEqual(
            {'versions': [V1]},
            self.request('GET', '/', token=None, status=200).json)
        for path in ('/v1', '/v1/'):
            self.assertEqual(
                {'version': V1},
                self.request('GET', path, token=None, status=200).json)

    def test_api_without_token_is_401_fault(self):
        resp = self.request('GET', self.url('os-services'), token=None)
        message = self.assertFault(resp, 401, 'unauthorized')
        self.assertIn('authentication', message)
        self.assertEqual('Keystone uri="http://keystone.invalid/v3"',
                         resp.headers['WWW-Authenticate'])

    def test_identity_headers_without_token_are_refused(self):
        resp = self.request('GET', self.url('os-services'), token=None,
                            headers={'X-Identity-Status': 'Confirmed',
                                     'X-Roles': 'admin',
                                     'X-Project-Id': self.project,
                                     'X-User-Id': 'mallory'})
        self.assertFault(resp, 401, 'unauthorized')

    def test_unknown_paths_are_401_before_404(self):
        for path in ('/nothing', '/v1/p1/nothing', '/v2/'):
            self.assertFault(self.request('GET', path, token=None), 401,
                             'unauthorized')


class PathTest(base.ApiTestCase):
    """Empty path segments name nothing: a trailing slash, or the double
    slash python-karborclient sends when its URL ends in '/'."""

    def test_trailing_and_double_slashes(self):
        for path in ('/v1/p/os-services/', '/v1/p//os-services',
                     '//v1/p/os-services//'):
            resp = self.request('GET', path, token='t', status=200)
            self.assertEqual({'services': []}, resp.json)
