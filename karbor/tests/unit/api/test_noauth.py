"""noauth mode: who a token names, and what the API lets them do."""

import fixtures
import testtools

from karbor.api.middleware import auth
from karbor.common import policy
from karbor.tests.unit.api import base

URL_ADMIN = ('admin', 'url-project', ['admin', 'member', 'reader'])


class ParseNoauthTokenTest(testtools.TestCase):

    def check(self, token, expected):
        self.assertEqual(expected,
                         auth.parse_noauth_token(token, 'url-project'))

    def test_user_project_is_member(self):
        self.check('alice:p1', ('alice', 'p1', ['member', 'reader']))

    def test_third_part_lists_roles_and_what_they_imply(self):
        self.check('alice:p1:admin',
                   ('alice', 'p1', ['admin', 'member', 'reader']))
        self.check('alice:p1:reader, member,',
                   ('alice', 'p1', ['reader', 'member']))
        self.check('alice:p1:reader', ('alice', 'p1', ['reader']))
        self.check('alice:p1:creator', ('alice', 'p1', ['creator']))

    def test_empty_role_list_means_no_role(self):
        self.check('alice:p1:', ('alice', 'p1', []))

    def test_anything_else_is_admin_of_url_project(self):
        for token in (None, '', 'secret', 'alice', ':p1', 'alice:',
                      ':', 'a:b:c:d'):
            self.check(token, URL_ADMIN)

    def test_no_url_project(self):
        self.assertEqual(('admin', None, ['admin', 'member', 'reader']),
                         auth.parse_noauth_token('t', None))


class NoauthApiTest(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.authorize = self.useFixture(fixtures.MockPatch(
            'karbor.common.policy.authorize',
            wraps=policy.authorize)).mock

    def context(self):
        """The context the handler authorized with."""
        self.assertEqual(1, self.authorize.call_count)
        return self.authorize.call_args[0][0]

    def test_member_is_refused_by_policy(self):
        resp = self.request('GET', self.url('os-services'), token='bob:p1')
        message = self.assertFault(resp, 403, 'forbidden')
        self.assertEqual(
            "Policy doesn't allow karbor:service:get_all to be performed.",
            message)
        ctx = self.context()
        self.assertEqual(('bob', 'p1', ['member', 'reader'], False),
                         (ctx.user_id, ctx.project_id, ctx.roles,
                          ctx.is_admin))

    def test_member_cannot_update(self):
        resp = self.request('PUT', self.url('os-services/1'),
                            token='bob:p1', body={'status': 'enabled'})
        self.assertIn('karbor:service:update',
                      self.assertFault(resp, 403, 'forbidden'))

    def test_other_roles_are_not_admin(self):
        resp = self.request('GET', self.url('os-services'),
                            token='bob:p1:reader,member')
        self.assertFault(resp, 403, 'forbidden')

    def test_admin_role(self):
        resp = self.request('GET', self.url('os-services'),
                            token='alice:p1:admin', status=200)
        self.assertEqual({'services': []}, resp.json)
        ctx = self.context()
        self.assertEqual(('alice', 'p1', ['admin', 'member', 'reader'],
                          True),
                         (ctx.user_id, ctx.project_id, ctx.roles,
                          ctx.is_admin))

    def test_any_other_token_or_none_is_admin_of_url_project(self):
        for token in ('anything', None, 'a:b:c:d'):
            self.authorize.reset_mock()
            resp = self.request('GET', self.url('os-services'), token=token,
                                status=200)
            self.assertEqual({'services': []}, resp.json)
            ctx = self.context()
            self.assertEqual(('admin', 'p1', True),
                             (ctx.user_id, ctx.project_id, ctx.is_admin))
            self.assertIn('admin', ctx.roles)

    def test_client_identity_headers_are_ignored(self):
        spoof = {'X-Roles': 'admin', 'X-Role': 'admin',
                 'X-Identity-Status': 'Confirmed', 'X-User-Id': 'root',
                 'X-User': 'root', 'X-Project-Id': 'p1',
                 'X-Is-Admin-Project': 'False',
                 'X-Service-Catalog': '[{"type": "volumev3"}]'}
        resp = self.request('GET', self.url('os-services'), token='bob:p1',
                            headers=spoof)
        self.assertFault(resp, 403, 'forbidden')
        ctx = self.context()
        self.assertEqual(('bob', ['member', 'reader'], True, []),
                         (ctx.user_id, ctx.roles, ctx.is_admin_project,
                          ctx.service_catalog))

    def test_client_project_header_does_not_change_project(self):
        resp = self.request('GET', self.url('os-services'), token=None,
                            headers={'X-Project-Id': 'p2',
                                     'X-Tenant-Id': 'p2'}, status=200)
        self.assertEqual({'services': []}, resp.json)
        self.assertEqual('p1', self.context().project_id)


class ProjectMismatchTest(base.ApiTestCase):

    def test_url_project_must_be_token_project(self):
        # Admins included.
        for token in ('bob:p2', 'alice:p2:admin'):
            resp = self.request('GET', self.url('os-services'), token=token)
            message = self.assertFault(resp, 403, 'forbidden')
            self.assertIn('(p1)', message)
            self.assertIn('(p2)', message)
            self.assertIn('/v1/p2/', message)

    def test_mismatch_is_checked_before_routing(self):
        for method, path in (('GET', 'nothing'), ('PUT', 'os-services/1'),
                             ('DELETE', 'os-services')):
            resp = self.request(method, self.url(path), token='bob:p2')
            self.assertFault(resp, 403, 'forbidden')
