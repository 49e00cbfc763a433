"""keystone mode: the identity keystonemiddleware confirms becomes the
request context. keystonemiddleware itself is replaced by a stand-in that
sets the headers it sets for a valid token; no Keystone is contacted."""

import json

import fixtures

from karbor.common import policy
from karbor.tests.unit.api import base
from karbor.tests.unit.common import test_context


class FakeAuthProtocol:
    """Sets what auth_token sets for a valid token (and strips what the
    client sent)."""

    identity = {}

    def __init__(self, app, conf):
        self.app = app

    def __call__(self, environ, start_response):
        for key in list(environ):
            if key.startswith('HTTP_X_') and key != 'HTTP_X_AUTH_TOKEN':
                del environ[key]
        environ.update(self.identity)
        return self.app(environ, start_response)


class KeystoneContextTest(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.conf.config(auth_strategy='keystone')
        self.conf.config(www_authenticate_uri='http://keystone.test/v3',
                         auth_type='password', group='keystone_authtoken')
        self.useFixture(fixtures.MockPatch(
            'keystonemiddleware.auth_token.AuthProtocol', FakeAuthProtocol))
        self.authorize = self.useFixture(fixtures.MockPatch(
            'karbor.common.policy.authorize',
            wraps=policy.authorize)).mock
        self.make_app()

    def confirm(self, roles, project='p1'):
        FakeAuthProtocol.identity = {
            'HTTP_X_IDENTITY_STATUS': 'Confirmed',
            'HTTP_X_USER_ID': 'alice',
            'HTTP_X_PROJECT_ID': project,
            'HTTP_X_ROLES': roles,
            'HTTP_X_SERVICE_CATALOG': json.dumps(test_context.CATALOG),
        }
        self.addCleanup(setattr, FakeAuthProtocol, 'identity', {})

    def test_admin(self):
        self.confirm('admin,member')
        self.request('GET', self.url('os-services'), token='tok', status=200)
        ctx = self.authorize.call_args[0][0]
        self.assertEqual(('alice', 'p1', ['admin', 'member'], True, 'tok',
                          test_context.CATALOG),
                         (ctx.user_id, ctx.project_id, ctx.roles,
                          ctx.is_admin, ctx.auth_token, ctx.service_catalog))

    def test_admin_role_in_any_case(self):
        self.confirm('Admin')
        self.request('GET', self.url('os-services'), token='tok', status=200)
        self.assertTrue(self.authorize.call_args[0][0].is_admin)

    def test_member(self):
        self.confirm('member,reader')
        resp = self.request('GET', self.url('os-services'), token='tok')
        self.assertFault(resp, 403, 'forbidden')
        self.assertFalse(self.authorize.call_args[0][0].is_admin)

    def test_project_mismatch(self):
        self.confirm('admin', project='p2')
        resp = self.request('GET', self.url('os-services'), token='tok')
        self.assertIn('(p2)', self.assertFault(resp, 403, 'forbidden'))

    def test_unconfirmed_identity_is_refused(self):
        # auth_token with delay_auth_decision lets such requests through.
        FakeAuthProtocol.identity = {'HTTP_X_IDENTITY_STATUS': 'Invalid'}
        self.addCleanup(setattr, FakeAuthProtocol, 'identity', {})
        resp = self.request('GET', self.url('os-services'), token='tok')
        self.assertFault(resp, 401, 'unauthorized')
        self.assertFalse(self.authorize.called)
