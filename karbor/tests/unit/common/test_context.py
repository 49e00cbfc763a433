"""karbor.common.context and how it travels over RPC."""

import json

import testtools

from karbor.common import context
from karbor.common import rpc

CATALOG = [{'type': 'volumev3', 'name': 'cinder',
            'endpoints': [{'region': 'R1', 'interface': 'public',
                           'url': 'http://cinder.example.com/v3/p1'}]}]


def sample():
    return context.RequestContext(
        user_id='alice', project_id='p1', roles=['member', 'reader'],
        auth_token='tok', is_admin=False, request_id='req-1',
        service_catalog=CATALOG)


class RequestContextTest(testtools.TestCase):

    def assertSameContext(self, expected, actual):
        self.assertIsInstance(actual, context.RequestContext)
        for attr in ('user_id', 'project_id', 'roles', 'auth_token',
                     'is_admin', 'request_id', 'service_catalog'):
            self.assertEqual(getattr(expected, attr), getattr(actual, attr),
                             attr)

    def test_dict_round_trip(self):
        ctx = sample()
        values = ctx.to_dict()
        self.assertEqual(CATALOG, values['service_catalog'])
        self.assertSameContext(ctx,
                               context.RequestContext.from_dict(values))

    def test_serializer_round_trip(self):
        serializer = rpc.RequestContextSerializer()
        ctx = sample()
        wire = serializer.serialize_context(ctx)
        self.assertIsInstance(wire, dict)
        self.assertSameContext(ctx, serializer.deserialize_context(wire))
        self.assertEqual({'a': [1]},
                         serializer.serialize_entity(ctx, {'a': [1]}))
        self.assertEqual({'a': [1]},
                         serializer.deserialize_entity(ctx, {'a': [1]}))

    def test_from_environ_reads_the_catalog(self):
        # What keystonemiddleware leaves in the environment.
        environ = {'HTTP_X_USER_ID': 'alice', 'HTTP_X_PROJECT_ID': 'p1',
                   'HTTP_X_ROLES': 'member,reader',
                   'HTTP_X_AUTH_TOKEN': 'tok',
                   'HTTP_X_SERVICE_CATALOG': json.dumps(CATALOG)}
        ctx = context.RequestContext.from_environ(environ)
        self.assertEqual(('alice', 'p1', ['member', 'reader'], 'tok',
                          CATALOG),
                         (ctx.user_id, ctx.project_id, ctx.roles,
                          ctx.auth_token, ctx.service_catalog))

    def test_from_environ_without_or_with_a_bad_catalog(self):
        for value in (None, '', 'not json', '{"a": 1}'):
            environ = {'HTTP_X_PROJECT_ID': 'p1'}
            if value is not None:
                environ['HTTP_X_SERVICE_CATALOG'] = value
            self.assertEqual(
                [], context.RequestContext.from_environ(environ)
                .service_catalog, value)

    def test_catalog_defaults_to_empty_list(self):
        ctx = context.RequestContext(project_id='p1')
        self.assertEqual([], ctx.service_catalog)
        self.assertEqual(
            [], context.RequestContext.from_dict(ctx.to_dict())
            .service_catalog)

    def test_policy_values_carry_is_admin(self):
        self.assertFalse(sample().to_policy_values()['is_admin'])
        self.assertTrue(context.get_admin_context()
                        .to_policy_values()['is_admin'])

    def test_elevated_is_a_copy(self):
        ctx = sample()
        elevated = ctx.elevated()
        self.assertTrue(elevated.is_admin)
        self.assertIn('admin', elevated.roles)
        self.assertEqual(('alice', 'p1', CATALOG),
                         (elevated.user_id, elevated.project_id,
                          elevated.service_catalog))
        self.assertFalse(ctx.is_admin)
        self.assertEqual(['member', 'reader'], ctx.roles)

    def test_admin_context(self):
        ctx = context.get_admin_context()
        self.assertTrue(ctx.is_admin)
        self.assertEqual(['admin'], ctx.roles)
        self.assertIsNone(ctx.project_id)
