"""Scheduled operations behind Keystone keep a trust for their runs: made
at create, deleted with the scheduled operation, handed to each run with
``keep_trust`` so that the end of a run leaves it. Keystone is a mock
here (``MockedKeystone``: the service user's session to it); the real one
is in karbor.tests.functional.test_scheduled_trust."""

import datetime
from unittest import mock

import fixtures
from keystoneauth1 import exceptions as ks_exc

from karbor.common import context as karbor_context
from karbor.db import scheduled_operations as operations_db
from karbor.services.operationengine import actions
from karbor.services.protection.clients import auth
from karbor.services.protection.clients import trusts
from karbor.services.protection import manager
from karbor.services.protection import provider as provider_module
from karbor.tests.unit.api_v1 import base
from karbor.tests.unit.operationengine import test_engine

IDENTITY = 'http://keystone.test/v3'
TRUSTEE = 'karbor-service-user-id'


class MockedKeystone(fixtures.Fixture):
    """Karbor's service user and its session to a mocked Keystone: POST
    of a trust answers ``trust_id`` (or raises ``refuse``), DELETE answers
    ``delete_status``."""

    def __init__(self, trust_id='trust-1'):
        self.trust_id = trust_id
        self.refuse = None
        self.delete_status = 204

    def _setUp(self):
        self.session = mock.Mock(name='keystone-session')
        self.session.post.side_effect = self._post
        self.session.delete.side_effect = lambda url, **kw: mock.Mock(
            status_code=self.delete_status)
        self.service = mock.Mock(name='service-user')
        self.service.get_user_id.return_value = TRUSTEE
        self.service.get_endpoint.return_value = IDENTITY
        self.trust_plugin = mock.Mock(name='trust-plugin')
        self.useFixture(fixtures.MockPatchObject(
            auth, 'service_credentials',
            return_value=(self.service, self.session)))
        self.useFixture(fixtures.MockPatchObject(
            auth, 'trust_auth',
            return_value=(self.trust_plugin, self.session)))

    def _post(self, url, json=None, **kwargs):
        if self.refuse is not None:
            raise self.refuse
        return mock.Mock(json=lambda: {'trust': dict(json['trust'],
                                                     id=self.trust_id)})

    def posted(self):
        return [c.kwargs['json']['trust']
                for c in self.session.post.call_args_list]

    def deleted(self):
        return [c.args[0].rsplit('/', 1)[1]
                for c in self.session.delete.call_args_list]


def behind_keystone(test, acts_for_caller=True):
    """Keystone's auth strategy and a service user in the configuration
    (its session mocked), and the local provider said to act for its
    caller, as Glance's does."""
    test.conf.config(auth_strategy='keystone')
    test.conf.config(auth_type='password', group='service_user')
    test.useFixture(fixtures.MockPatchObject(
        provider_module.Provider, 'acts_for_caller',
        new_callable=mock.PropertyMock, return_value=acts_for_caller))
    return test.useFixture(MockedKeystone())


class ScheduleTrustApiTest(base.ProtectionApiTestCase):

    def setUp(self):
        super().setUp()
        self.plan = self.create_plan()
        self.trigger = self.post('triggers', {'trigger_info': {
            'name': 't', 'type': 'time', 'properties': {
                'format': 'crontab', 'pattern': '0 * * * *'}}},
            status=200).json['trigger_info']

    def create(self, status=200, token=base.MEMBER):
        return self.post('scheduled_operations', {'scheduled_operation': {
            'name': 'so', 'operation_type': 'protect',
            'trigger_id': self.trigger['id'],
            'operation_definition': {
                'plan_id': self.plan['id'],
                'provider_id': base.LOCAL_PROVIDER_ID}}},
            token=token, status=status)

    def rows(self):
        return operations_db.scheduled_operation_get_all()

    def test_noauth_default_makes_no_trust(self):
        keystone = self.useFixture(MockedKeystone())
        op = self.create().json['scheduled_operation']
        self.assertIsNone(operations_db.scheduled_operation_get(
            op['id']).trust_id)
        self.assertEqual([], keystone.posted())
        self.delete('scheduled_operations/' + op['id'], status=204)
        self.assertEqual([], keystone.deleted())

    def test_no_trust_for_a_provider_not_acting_for_its_caller_mocked_keystone(
            self):
        keystone = behind_keystone(self, acts_for_caller=False)
        op = self.create().json['scheduled_operation']
        self.assertIsNone(operations_db.scheduled_operation_get(
            op['id']).trust_id)
        self.assertEqual([], keystone.posted())

    def test_no_trust_without_delegation_mocked_keystone(self):
        keystone = behind_keystone(self)
        self.conf.config(delegate_with_trusts=False, group='service_user')
        op = self.create().json['scheduled_operation']
        self.assertIsNone(operations_db.scheduled_operation_get(
            op['id']).trust_id)
        self.assertEqual([], keystone.posted())

    def test_create_makes_a_trust_without_expiry_mocked_keystone(self):
        keystone = behind_keystone(self)
        op = self.create().json['scheduled_operation']
        self.assertNotIn('trust_id', op)
        self.assertEqual('trust-1', operations_db.scheduled_operation_get(
            op['id']).trust_id)
        [trust] = keystone.posted()
        user, project = base.MEMBER.split(':')[:2]
        self.assertEqual(TRUSTEE, trust['trustee_user_id'])
        self.assertEqual(project, trust['project_id'])
        self.assertEqual(self.project, trust['project_id'])
        self.assertEqual(user, trust['trustor_user_id'])
        self.assertTrue(trust['impersonation'])
        self.assertIn({'name': 'member'}, trust['roles'])
        self.assertNotIn('expires_at', trust)
        url = keystone.session.post.call_args.args[0]
        self.assertEqual(IDENTITY + '/OS-TRUST/trusts', url)
        # With the caller's token, not the service user's.
        self.assertEqual(
            {'X-Auth-Token': base.MEMBER},
            keystone.session.post.call_args.kwargs['headers'])

    def test_a_configured_lifetime_expires_the_trust_mocked_keystone(self):
        keystone = behind_keystone(self)
        self.conf.config(scheduled_trust_lifetime=3600,
                         group='service_user')
        before = datetime.datetime.utcnow()
        self.create()
        [trust] = keystone.posted()
        expires = datetime.datetime.strptime(trust['expires_at'],
                                             '%Y-%m-%dT%H:%M:%S.%fZ')
        self.assertLessEqual(before + datetime.timedelta(seconds=3600),
                             expires)
        self.assertGreater(before + datetime.timedelta(seconds=3660),
                           expires)

    def test_a_refused_trust_refuses_the_operation_mocked_keystone(self):
        keystone = behind_keystone(self)
        keystone.refuse = ks_exc.Forbidden(http_status=403)
        resp = self.create(status=403)
        fault = resp.json['forbidden']
        self.assertEqual(403, fault['code'])
        self.assertIn('Keystone refused a trust', fault['message'])
        self.assertIn('HTTP 403', fault['message'])
        self.assertIn('delegate_with_trusts', fault['message'])
        self.assertEqual([], self.rows())

    def test_an_unreachable_keystone_refuses_it_with_503_mocked_keystone(
            self):
        keystone = behind_keystone(self)
        keystone.refuse = ks_exc.ConnectFailure('refused')
        resp = self.create(status=503)
        self.assertIn('try again later',
                      resp.json['serviceUnavailable']['message'])
        self.assertNotIn('keystone.test', resp.text)
        self.assertEqual([], self.rows())

    def test_a_refused_service_user_refuses_it_with_503_mocked_keystone(
            self):
        behind_keystone(self)
        self.useFixture(fixtures.MockPatchObject(
            auth, 'service_credentials', side_effect=auth.ServiceUserFailed(
                reason='it answered HTTP 401')))
        resp = self.create(status=503)
        self.assertEqual(
            "Karbor's service user ([service_user]) could not get a token: "
            "it answered HTTP 401",
            resp.json['serviceUnavailable']['message'])
        self.assertEqual([], self.rows())

    def test_a_failed_insert_deletes_the_new_trust_mocked_keystone(self):
        keystone = behind_keystone(self)
        self.useFixture(fixtures.MockPatchObject(
            operations_db, 'scheduled_operation_create',
            side_effect=RuntimeError('database gone')))
        self.create(status=500)
        self.assertEqual(['trust-1'], keystone.deleted())
        self.assertEqual([], self.rows())

    def test_delete_deletes_the_trust_with_its_own_token_mocked_keystone(
            self):
        keystone = behind_keystone(self)
        op = self.create().json['scheduled_operation']
        self.delete('scheduled_operations/' + op['id'], status=204)
        self.assertEqual(['trust-1'], keystone.deleted())
        call = keystone.session.delete.call_args
        self.assertIs(keystone.trust_plugin, call.kwargs['auth'])
        self.assertEqual([], self.rows())

    def test_delete_with_callers_token_if_the_trusts_fails_mocked_keystone(
            self):
        keystone = behind_keystone(self)
        op = self.create().json['scheduled_operation']
        statuses = iter([401, 204])
        keystone.session.delete.side_effect = lambda url, **kw: mock.Mock(
            status_code=next(statuses))
        self.delete('scheduled_operations/' + op['id'], token=base.MEMBER,
                    status=204)
        second = keystone.session.delete.call_args_list[1].kwargs
        self.assertEqual({'X-Auth-Token': base.MEMBER}, second['headers'])
        self.assertFalse(second['authenticated'])
        self.assertEqual([], self.rows())

    def test_a_trust_already_gone_is_fine_mocked_keystone(self):
        keystone = behind_keystone(self)
        op = self.create().json['scheduled_operation']
        keystone.delete_status = 404
        self.delete('scheduled_operations/' + op['id'], status=204)
        self.assertEqual([], self.rows())

    def test_keystone_down_at_delete_keeps_the_operation_mocked_keystone(
            self):
        keystone = behind_keystone(self)
        op = self.create().json['scheduled_operation']
        keystone.delete_status = 503
        resp = self.delete('scheduled_operations/' + op['id'], status=503)
        self.assertIn('could not delete the trust',
                      resp.json['serviceUnavailable']['message'])
        self.assertEqual(1, len(self.rows()))
        # Once Keystone is back, the retry deletes both.
        keystone.delete_status = 204
        self.delete('scheduled_operations/' + op['id'], status=204)
        self.assertEqual([], self.rows())


class ReleaseTest(base.ProtectionApiTestCase):
    """trusts.release at the end of an operation, Keystone mocked."""

    def setUp(self):
        super().setUp()
        self.keystone = behind_keystone(self)

    def context(self, trust_id, keep_trust=False):
        return karbor_context.RequestContext(
            user_id='u', project_id=self.project, trust_id=trust_id,
            keep_trust=keep_trust, overwrite=False)

    def test_an_operations_own_trust_is_deleted_mocked_keystone(self):
        trusts.release(self.context('per-operation'))
        self.assertEqual(['per-operation'], self.keystone.deleted())

    def test_keep_trust_survives_rpc_and_keeps_it_mocked_keystone(self):
        ctx = karbor_context.RequestContext.from_dict(
            self.context('scheduled', keep_trust=True).to_dict())
        self.assertTrue(ctx.keep_trust)
        trusts.release(ctx)
        self.assertEqual([], self.keystone.deleted())

    def test_a_schedules_trust_is_kept_without_the_flag_mocked_keystone(
            self):
        plan = self.create_plan()
        trigger = self.post('triggers', {'trigger_info': {
            'name': 't', 'type': 'time', 'properties': {
                'format': 'crontab', 'pattern': '0 * * * *'}}},
            status=200).json['trigger_info']
        self.post('scheduled_operations', {'scheduled_operation': {
            'name': 'so', 'operation_type': 'protect',
            'trigger_id': trigger['id'], 'operation_definition': {
                'plan_id': plan['id'],
                'provider_id': base.LOCAL_PROVIDER_ID}}}, status=200)
        trusts.release(self.context('trust-1'))
        self.assertEqual([], self.keystone.deleted())


class ScheduledRunTrustTest(test_engine.EngineTestCase):
    """A run of a scheduled operation with a trust hands it to the
    protection service, which does not delete it at the end; Keystone
    mocked."""

    def test_a_run_acts_through_the_kept_trust_mocked_keystone(self):
        keystone = behind_keystone(self)
        ended = []
        real = manager.trusts.release

        def spy(context, *args, **kwargs):
            ended.append(context)
            return real(context, *args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(manager.trusts, 'release',
                                                 side_effect=spy))
        op = self.schedule(self.trigger())
        engine = self.engine()
        for _ in range(2):
            self.run_due(engine, op)
            run = self.settle(engine, op)
            self.assertEqual('success', run['status'], run)
        self.wait_for(lambda: len(ended), lambda n: n >= 2)
        for ctx in ended:
            self.assertEqual('trust-1', ctx.trust_id)
            self.assertTrue(ctx.keep_trust)
            self.assertIsNone(ctx.auth_token)
        self.assertEqual([], keystone.deleted())
        self.assertEqual(1, len(keystone.posted()))

    def test_context_for_carries_the_trust(self):
        row = operations_db.scheduled_operation_get(
            self.schedule(self.trigger())['id'])
        ctx = actions.context_for(row)
        self.assertIsNone(ctx.trust_id)
        self.assertFalse(ctx.keep_trust)
        row.trust_id = 'T'
        ctx = actions.context_for(row)
        self.assertEqual('T', ctx.trust_id)
        self.assertTrue(ctx.keep_trust)


class TrustEndpointTest(base.ProtectionApiTestCase):
    """Where a run through a trust finds Glance; the trust's token and
    Keystone mocked."""

    CATALOG = [{'type': 'image', 'name': 'glance', 'endpoints': [
        {'region': 'r', 'publicURL': 'http://glance.caller/'}]}]

    def setUp(self):
        super().setUp()
        self.keystone = behind_keystone(self)
        self.keystone.trust_plugin.get_endpoint.return_value = (
            'http://glance.trust/')

    def endpoint(self, catalog):
        ctx = karbor_context.RequestContext(
            user_id='u', project_id=self.project, trust_id='T',
            keep_trust=True, service_catalog=catalog, overwrite=False)
        return auth.plugin_for(ctx).get_endpoint(
            None, service_type='image', interface='public')

    def test_the_callers_catalog_first_mocked_keystone(self):
        self.assertEqual('http://glance.caller/',
                         self.endpoint(self.CATALOG))
        self.keystone.trust_plugin.get_endpoint.assert_not_called()

    def test_a_scheduled_run_uses_the_trust_tokens_catalog_mocked_keystone(
            self):
        self.assertEqual('http://glance.trust/', self.endpoint([]))
        call = self.keystone.trust_plugin.get_endpoint.call_args
        self.assertIs(self.keystone.session, call.args[0])
        self.assertEqual('image', call.kwargs['service_type'])

    def test_none_in_the_trust_tokens_catalog_mocked_keystone(self):
        self.keystone.trust_plugin.get_endpoint.side_effect = (
            ks_exc.EndpointNotFound())
        self.assertIsNone(self.endpoint([]))

    def test_keystone_refusing_the_trust_token_says_so_mocked_keystone(self):
        self.keystone.trust_plugin.get_endpoint.side_effect = (
            ks_exc.Unauthorized(http_status=401))
        error = self.assertRaises(auth.ServiceUserFailed, self.endpoint, [])
        self.assertIn('HTTP 401', str(error))
