"""karbor-api behind the real Keystone: who gets in, what a refusal
looks like, and where clients find the API.

Run: ``tools/run_tests.sh karbor.tests.functional.test_keystone_api``.
"""

from karbor.tests.functional import behind_keystone
from karbor.tests.functional import utils


class KeystoneApiTest(behind_keystone.BehindKeystone):

    def assertUnauthorized(self, status, headers, doc):
        self.assertEqual(401, status, doc)
        self.assertEqual(['unauthorized'], list(doc), doc)
        self.assertEqual(401, doc['unauthorized']['code'])
        self.assertTrue(doc['unauthorized']['message'])
        self.assertEqual('application/json',
                         headers.get_content_type())
        # Where to get a token.
        self.assertEqual('Keystone uri="%s"' % self.keystone.auth_url,
                         headers['WWW-Authenticate'])
        self.assertTrue(headers['x-openstack-request-id'].startswith('req-'))

    def test_tokens_that_are_not_valid_get_401(self):
        _token, alpha = self.token('alice')
        expiring, expires = self.keystone.short_lived_token('alice')
        revoked, _ = self.keystone.token('alice')
        self.keystone.revoke(revoked)
        self.keystone.wait_past(expires)
        expired = expiring
        self.assertFalse(self.keystone.validate(revoked))
        self.assertFalse(self.keystone.validate(expired))
        for name, token in (('none', None), ('bogus', 'gAAAAAbogus'),
                            ('revoked', revoked), ('expired', expired)):
            url = '%s/%s/plans' % (self.endpoint, alpha)
            status, headers, doc = utils.http('GET', url, token=token)
            self.assertUnauthorized(status, headers, doc)
            # A write is refused the same way, and creates nothing.
            status, headers, doc = utils.http(
                'POST', url, body={'plan': {'name': name}}, token=token)
            self.assertUnauthorized(status, headers, doc)
        status, _headers, doc = self.call('alice', 'GET', 'plans')
        self.assertEqual((200, []), (status, doc['plans']))

    def test_the_version_documents_need_no_token(self):
        for path in ('/', '/v1/'):
            status, _headers, doc = utils.http(
                'GET', 'http://127.0.0.1:%d%s' % (self.services.port, path),
                token=None)
            self.assertEqual(200, status, doc)

    def test_a_valid_token_on_its_own_project(self):
        status, _headers, doc = self.call('alice', 'GET', 'providers')
        self.assertEqual(200, status, doc)
        self.assertIn(behind_keystone.LOCAL_PROVIDER_ID,
                      [p['id'] for p in doc['providers']])
        # The project in the URL must be the token's, whatever the roles.
        _token, beta = self.token('bob')
        for user in ('alice', 'admin'):
            status, _headers, doc = self.call(user, 'GET', 'plans',
                                              project=beta)
            self.assertEqual(403, status, doc)
            self.assertIn('is not the project of your token',
                          doc['forbidden']['message'])

    def test_the_catalog_names_this_api(self):
        session = self.keystone.session('alice')
        url = session.get_endpoint(service_type='data-protect',
                                   interface='public',
                                   region_name=self.region)
        self.assertEqual('%s/%s' % (self.endpoint, session.get_project_id()),
                         url)


class ServiceUserRefusedTest(behind_keystone.BehindKeystone):
    """A karbor-api whose service user Keystone refuses cannot validate
    tokens: 503, in the fault shape, and the log says why."""

    @staticmethod
    def configure_more(services, sections):
        sections['keystone_authtoken']['password'] = 'not-the-password'

    def test_503_when_karbor_cannot_validate(self):
        status, headers, doc = self.call('alice', 'GET', 'plans')
        self.assertEqual(503, status, doc)
        self.assertEqual(['serviceUnavailable'], list(doc), doc)
        self.assertNotIn('not-the-password', str(doc) + str(headers))
        logged = self.services.api.output()
        self.assertIn('Identity server rejected authorization', logged)
        self.assertNotIn('not-the-password', logged)
