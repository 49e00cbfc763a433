"""The panels through Django's test client, in Horizon's test harness:
a logged-in user whose catalog has Karbor, and **Karbor's API mocked**
(``karbor_dashboard.api.karbor`` functions replaced by mocks that return
what karbor-api answers). The browser test
(``karbor.tests.e2e.test_dashboard``) runs the same panels against the
real services.

    cd dashboard && <horizon venv>/bin/python -m django test \
        karbor_dashboard.tests --settings=karbor_dashboard.tests.settings
"""

import types
from unittest import mock

from django.urls import reverse
from karborclient.common.apiclient import exceptions as client_exc
from openstack_dashboard.test import helpers

from karbor_dashboard.api import karbor as api
from karbor_dashboard import schema_fields

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
CHECKPOINT_ID = 'fe5dd038-2124-4df7-a6be-5f3a7c43b1a4'
PLAN_ID = 'fe5dd038-22e0-4fa1-85a8-a374cbc6ccdd'
DIRECTORY = 'OS::Local::Directory'
RESOURCE = {'type': DIRECTORY, 'id': '0a4ab7da-1226-564e-a3f6-b40f0e4af95c',
            'name': 'docs'}
KEY = '%s#%s' % (DIRECTORY, RESOURCE['id'])


def obj(**fields):
    return types.SimpleNamespace(**fields)


def provider():
    return obj(id=PROVIDER_ID, name='Local Provider', description='local',
               bank={'type': 'swift'},
               extended_info_schema={
                   'options_schema': {DIRECTORY: {
                       'type': 'object', 'properties': {
                           'exclude': {'type': 'string',
                                       'description': 'a glob'},
                           'fsync': {'type': 'boolean', 'default': True}}}},
                   'restore_schema': {DIRECTORY: {
                       'type': 'object', 'properties': {
                           'target_path': {'type': 'string',
                                           'description': 'where'}}}},
                   'verify_schema': {DIRECTORY: {
                       'type': 'object', 'properties': {
                           'level': {'type': 'string',
                                     'enum': ['quick', 'deep']}}}}})


def checkpoint(status='available'):
    return obj(id=CHECKPOINT_ID, provider_id=PROVIDER_ID, status=status,
               status_reason=None, created_at='2026-12-01T04:05:57',
               protection_plan={'id': PLAN_ID, 'name': 'docs-plan',
                                'resources': [RESOURCE]},
               resource_graph='[{"0x0": ["%s", "%s", "docs", {}]}, []]' % (
                   DIRECTORY, RESOURCE['id']),
               progress={'files_done': 2}, not_copied={'count': 0})


def verification(status='success', reason=None, id='v-1', progress=None):
    return obj(id=id, provider_id=PROVIDER_ID, checkpoint_id=CHECKPOINT_ID,
               status=status, status_reason=reason,
               parameters={DIRECTORY: {'level': 'deep'}},
               resource_status={KEY: status},
               resource_reason={KEY: reason} if reason else {},
               levels={KEY: 'deep'}, coverage={},
               progress=progress or {'objects_total': 4,
                                     'objects_checked': 4,
                                     'bytes_checked': 100},
               started_at='2026-12-01T04:06:00', ended_at=None)


def forbidden(rule):
    return client_exc.Forbidden(
        message="Policy doesn't allow %s to be performed." % rule,
        http_status=403)


class KarborTestCase(helpers.TestCase):
    """Horizon's test user (roles member and reader) with a data-protect
    endpoint in its catalog."""

    def _setup_test_data(self):
        super()._setup_test_data()
        self.service_catalog.append({
            'type': 'data-protect', 'name': 'karbor', 'endpoints_links': [],
            'endpoints': [{'region': 'RegionOne', 'interface': interface,
                           'url': 'http://karbor.test/v1/project'}
                          for interface in ('public', 'internal')]})

    def as_reader(self):
        self._setup_user(roles=[{'id': '3', 'name': 'reader'}])

    def mock_api(self, name, **kwargs):
        patcher = mock.patch.object(api, name, **kwargs)
        self.addCleanup(patcher.stop)
        return patcher.start()

    def messages_of(self, response):
        return [str(m) for m in response.context['messages']] \
            if response.context else []


class ProvidersTest(KarborTestCase):

    def test_list_and_detail_show_the_schemas_mocked_api(self):
        listed = self.mock_api('provider_list', return_value=[provider()])
        shown = self.mock_api('provider_get', return_value=provider())
        res = self.client.get(reverse(
            'horizon:project:data_protection_providers:index'))
        self.assertContains(res, 'Local Provider')
        listed.assert_called_once()
        res = self.client.get(reverse(
            'horizon:project:data_protection_providers:detail',
            args=[PROVIDER_ID]))
        shown.assert_called_once_with(mock.ANY, PROVIDER_ID)
        rows = res.context['tables'][0].data
        self.assertEqual(
            {('protect options', 'exclude'), ('protect options', 'fsync'),
             ('restore parameters', 'target_path'),
             ('verify parameters', 'level')},
            {(str(r.schema), r.prop) for r in rows})
        self.assertContains(res, 'quick, deep')
        self.assertIn(('Bank', 'Swift'), [
            (str(label), value) for label, value in
            res.context['sections'][0]['rows']])

    def test_an_api_that_does_not_answer_is_a_message_mocked_api(self):
        refused = client_exc.ConnectionRefused(
            'Error communicating with http://karbor.test')
        self.mock_api('provider_list', side_effect=refused)
        res = self.client.get(reverse(
            'horizon:project:data_protection_providers:index'))
        self.assertEqual(200, res.status_code)
        [message] = self.messages_of(res)
        self.assertIn('Unable to list providers', message)
        self.assertIn('karbor-api is down', message)


class PlansTest(KarborTestCase):

    def plans(self):
        return [obj(id=PLAN_ID, name='docs-plan', description='',
                    provider_id=PROVIDER_ID, resources=[RESOURCE],
                    status='suspended')]

    def test_member_sees_create_protect_delete_mocked_api(self):
        self.mock_api('plan_list', return_value=self.plans())
        res = self.client.get(reverse(
            'horizon:project:data_protection_plans:index'))
        self.assertContains(res, 'id="plans__action_create"')
        self.assertContains(res, 'id="plans__row_%s__action_protect"' %
                            PLAN_ID)
        self.assertContains(res, 'docs-plan')

    def test_reader_sees_no_button_that_changes_mocked_api(self):
        self.as_reader()
        self.mock_api('plan_list', return_value=self.plans())
        res = self.client.get(reverse(
            'horizon:project:data_protection_plans:index'))
        self.assertContains(res, 'docs-plan')
        self.assertNotContains(res, 'plans__action_create')
        self.assertNotContains(res, '__action_protect')
        self.assertNotContains(res, '__action_delete')

    def test_one_call_for_a_page_and_a_next_link_mocked_api(self):
        rows = [obj(id='p%03d' % i, name='plan %d' % i, description='',
                    provider_id=PROVIDER_ID, resources=[], status='')
                for i in range(21)]
        listed = self.mock_api('plan_list', return_value=rows)
        res = self.client.get(reverse(
            'horizon:project:data_protection_plans:index'))
        listed.assert_called_once_with(mock.ANY, search_opts={}, limit=21,
                                       marker=None)
        self.assertEqual(20, len(res.context['table'].data))
        self.assertContains(res, '?marker=p019')

    def test_create_sends_resources_and_options_mocked_api(self):
        self.mock_api('provider_list', return_value=[provider()])
        self.mock_api('protectable_types', return_value=[DIRECTORY])
        self.mock_api('protectable_instances', return_value=[
            obj(id=RESOURCE['id'], name='docs', dependent_resources=[])])
        created = self.mock_api('plan_create', return_value=obj(
            id=PLAN_ID, name='docs-plan'))
        url = reverse('horizon:project:data_protection_plans:create')
        res = self.client.get(url)
        form = res.context['form']
        exclude = schema_fields.field_name('options', DIRECTORY, 'exclude')
        self.assertIn(exclude, form.fields)
        [(value, label)] = form.fields['resources'].choices
        self.assertEqual('OS::Local::Directory: docs', label)
        fsync = schema_fields.field_name('options', DIRECTORY, 'fsync')
        # fsync left checked (its default): not sent to the API.
        res = self.client.post(url, {
            'name': 'docs-plan', 'description': '',
            'provider_id': PROVIDER_ID, 'resources': [value],
            exclude: '*.tmp', fsync: 'on'})
        self.assertNoFormErrors(res)
        created.assert_called_once_with(
            mock.ANY, 'docs-plan', PROVIDER_ID, [RESOURCE],
            {DIRECTORY: {'exclude': '*.tmp'}}, description=None)
        self.assertRedirectsNoFollow(res, reverse(
            'horizon:project:data_protection_plans:index'))

    def test_a_refusal_is_a_message_mocked_api(self):
        self.mock_api('provider_list', return_value=[provider()])
        self.mock_api('protectable_types', return_value=[DIRECTORY])
        self.mock_api('protectable_instances', return_value=[
            obj(id=RESOURCE['id'], name='docs')])
        self.mock_api('plan_create',
                      side_effect=forbidden('karbor:plan:create'))
        self.mock_api('plan_list', return_value=[])
        url = reverse('horizon:project:data_protection_plans:create')
        value = self.client.get(url).context['form'].fields[
            'resources'].choices[0][0]
        res = self.client.post(url, {'name': 'x', 'provider_id': PROVIDER_ID,
                                     'resources': [value]}, follow=True)
        [message] = self.messages_of(res)
        self.assertIn('Unable to create the plan', message)
        self.assertIn('karbor:plan:create', message)
        self.assertIn('(HTTP 403) Your role in this project does not '
                      'allow it', message)

    def test_update_sends_name_and_description_mocked_api(self):
        self.mock_api('plan_get', return_value=self.plans()[0])
        updated = self.mock_api('plan_update',
                                return_value=self.plans()[0])
        url = reverse('horizon:project:data_protection_plans:update',
                      args=[PLAN_ID])
        form = self.client.get(url).context['form']
        self.assertEqual('docs-plan', form.initial['name'])
        res = self.client.post(url, {'plan_id': PLAN_ID, 'name': 'renamed',
                                     'description': 'the docs'})
        self.assertNoFormErrors(res)
        updated.assert_called_once_with(mock.ANY, PLAN_ID, {
            'name': 'renamed', 'description': 'the docs'})

    def test_protect_now_creates_a_checkpoint_mocked_api(self):
        self.mock_api('plan_list', return_value=self.plans())
        created = self.mock_api('checkpoint_create',
                                return_value=obj(id=CHECKPOINT_ID))
        res = self.client.post(reverse(
            'horizon:project:data_protection_plans:index'),
            {'action': 'plans__protect__%s' % PLAN_ID})
        created.assert_called_once_with(mock.ANY, PROVIDER_ID, PLAN_ID)
        self.assertRedirectsNoFollow(res, '%s?provider=%s' % (reverse(
            'horizon:project:data_protection_checkpoints:index'),
            PROVIDER_ID))


class CheckpointsTest(KarborTestCase):

    def setUp(self):
        super().setUp()
        self.mock_api('provider_list', return_value=[provider()])
        self.checkpoints = self.mock_api('checkpoint_list',
                                         return_value=[checkpoint()])
        self.verifications = self.mock_api('verification_list', return_value=[
            verification('error', 'object x: SHA-256 mismatch', id='v-2'),
            verification('success', id='v-1')])

    def test_latest_verification_of_each_in_three_calls_mocked_api(self):
        res = self.client.get(reverse(
            'horizon:project:data_protection_checkpoints:index'))
        self.checkpoints.assert_called_once_with(mock.ANY, PROVIDER_ID,
                                                 search_opts={})
        self.verifications.assert_called_once_with(
            mock.ANY, search_opts={'provider_id': PROVIDER_ID})
        self.assertContains(res, 'error (deep)')
        for action in ('verify_quick', 'verify_deep', 'restore'):
            self.assertContains(res, 'checkpoints__row_%s__action_%s' % (
                CHECKPOINT_ID, action))

    def test_verify_deep_asks_the_level_the_schema_knows_mocked_api(self):
        created = self.mock_api('verification_create',
                                return_value=verification('verifying'))
        res = self.client.post(
            reverse('horizon:project:data_protection_checkpoints:index'),
            {'action': 'checkpoints__verify_deep__%s' % CHECKPOINT_ID})
        created.assert_called_once_with(mock.ANY, PROVIDER_ID, CHECKPOINT_ID,
                                        {DIRECTORY: {'level': 'deep'}})
        self.assertRedirectsNoFollow(res, reverse(
            'horizon:project:data_protection_verifications:detail',
            args=['v-1']))

    def test_create_protects_the_chosen_plan_mocked_api(self):
        plans = [obj(id=PLAN_ID, name='docs-plan', provider_id=PROVIDER_ID),
                 obj(id='other', name='elsewhere', provider_id='p2')]
        self.mock_api('plan_list', return_value=plans)
        created = self.mock_api('checkpoint_create',
                                return_value=obj(id=CHECKPOINT_ID))
        url = '%s?provider=%s' % (reverse(
            'horizon:project:data_protection_checkpoints:create'),
            PROVIDER_ID)
        form = self.client.get(url).context['form']
        self.assertEqual([(PLAN_ID, 'docs-plan')],
                         form.fields['plan_id'].choices)
        res = self.client.post(url, {'plan_id': PLAN_ID})
        self.assertNoFormErrors(res)
        created.assert_called_once_with(mock.ANY, PROVIDER_ID, PLAN_ID)
        self.assertRedirectsNoFollow(res, '%s?provider=%s' % (reverse(
            'horizon:project:data_protection_checkpoints:index'),
            PROVIDER_ID))

    def test_delete_asks_the_provider_of_the_page_mocked_api(self):
        deleted = self.mock_api('checkpoint_delete')
        self.client.post(
            reverse('horizon:project:data_protection_checkpoints:index'),
            {'action': 'checkpoints__delete__%s' % CHECKPOINT_ID})
        deleted.assert_called_once_with(mock.ANY, PROVIDER_ID, CHECKPOINT_ID)

    def test_a_checkpoint_still_protecting_cannot_be_verified_mocked_api(self):
        self.checkpoints.return_value = [checkpoint('protecting')]
        res = self.client.get(reverse(
            'horizon:project:data_protection_checkpoints:index'))
        self.assertNotContains(res, '__action_verify_deep')
        self.assertNotContains(res, '__action_restore')


class VerificationsTest(KarborTestCase):

    def test_detail_names_the_failing_object_mocked_api(self):
        self.mock_api('verification_get', return_value=verification(
            'error', 'object checkpoints/c/data/00000001: SHA-256 mismatch'))
        self.mock_api('checkpoint_get', return_value=checkpoint())
        res = self.client.get(reverse(
            'horizon:project:data_protection_verifications:detail',
            args=['v-1']))
        [table] = res.context['tables']
        [row] = table.data
        self.assertEqual((KEY, 'docs', 'error', 'deep'),
                         (row.resource, row.name, row.status, row.level))
        self.assertIn('data/00000001: SHA-256 mismatch', row.reason)
        self.assertNotContains(res, 'window.location.reload')

    def test_a_running_verification_refreshes_its_page_mocked_api(self):
        self.mock_api('verification_get', return_value=verification(
            'verifying', progress={'objects_total': 4, 'objects_checked': 1,
                                   'bytes_checked': 10}))
        # Without the checkpoint, the rows only lack their names.
        self.mock_api('checkpoint_get', side_effect=client_exc.NotFound(
            message='gone', http_status=404))
        res = self.client.get(reverse(
            'horizon:project:data_protection_verifications:detail',
            args=['v-1']))
        self.assertContains(res, 'window.location.reload')
        self.assertEqual(25, res.context['progress']['percent'])
        self.assertContains(res, '1 of 4 objects checked')

    def test_create_form_asks_the_level_for_the_types_mocked_api(self):
        self.mock_api('provider_list', return_value=[provider()])
        self.mock_api('checkpoint_get', return_value=checkpoint())
        created = self.mock_api('verification_create',
                                return_value=verification('verifying'))
        url = reverse('horizon:project:data_protection_verifications:create')
        res = self.client.get(url + '?provider=%s&checkpoint=%s' % (
            PROVIDER_ID, CHECKPOINT_ID))
        self.assertEqual(CHECKPOINT_ID,
                         res.context['form'].fields['checkpoint_id'].initial)
        res = self.client.post(url, {'provider_id': PROVIDER_ID,
                                     'checkpoint_id': CHECKPOINT_ID,
                                     'level': 'quick'})
        self.assertNoFormErrors(res)
        created.assert_called_once_with(mock.ANY, PROVIDER_ID, CHECKPOINT_ID,
                                        {DIRECTORY: {'level': 'quick'}})
        self.assertRedirectsNoFollow(res, reverse(
            'horizon:project:data_protection_verifications:detail',
            args=['v-1']))

    def test_an_unknown_verification_is_a_message_mocked_api(self):
        self.mock_api('verification_get', side_effect=client_exc.NotFound(
            message='Verification v-9 could not be found.', http_status=404))
        self.mock_api('verification_list', return_value=[])
        res = self.client.get(reverse(
            'horizon:project:data_protection_verifications:detail',
            args=['v-9']), follow=True)
        [message] = self.messages_of(res)
        self.assertIn('Verification v-9 could not be found.', message)

    def test_a_cloud_admin_may_list_every_project_mocked_api(self):
        listed = self.mock_api('verification_list', return_value=[
            verification()])
        url = reverse('horizon:project:data_protection_verifications:index')
        res = self.client.get(url)
        self.assertNotContains(res, 'All projects')  # a project member
        self.assertNotIn('project', res.context['table'].columns)
        res = self.client.get(url + '?all_tenants=1')
        listed.assert_called_with(mock.ANY, search_opts={}, limit=21,
                                  marker=None)
        self.setActiveUser(self.user.id, token=self.token,
                           username=self.user.name,
                           tenant_id=self.tenant.id,
                           service_catalog=self.service_catalog,
                           roles=[{'id': '1', 'name': 'admin'}],
                           authorized_tenants=self.tenants.list())
        res = self.client.get(url)
        self.assertContains(res, 'All projects')
        res = self.client.get(url + '?all_tenants=1')
        listed.assert_called_with(mock.ANY, search_opts={'all_tenants': '1'},
                                  limit=21, marker=None)
        self.assertIn('project', res.context['table'].columns)

    def test_status_filter_goes_to_the_api_mocked_api(self):
        listed = self.mock_api('verification_list', return_value=[])
        url = reverse('horizon:project:data_protection_verifications:index')
        self.client.post(url, {
            'verifications__filter__q': 'error',
            'verifications__filter__q_field': 'status',
            'action': 'verifications__filter'})
        self.client.get(url)
        listed.assert_called_with(mock.ANY, search_opts={'status': 'error'},
                                  limit=21, marker=None)


class RestoresTest(KarborTestCase):

    def test_form_fields_from_the_restore_schema_mocked_api(self):
        self.mock_api('provider_get', return_value=provider())
        self.mock_api('checkpoint_get', return_value=checkpoint())
        created = self.mock_api('restore_create',
                                return_value=obj(id='r-1'))
        url = reverse('horizon:project:data_protection_restores:create',
                      args=[PROVIDER_ID, CHECKPOINT_ID])
        target = schema_fields.field_name('restore', DIRECTORY,
                                          'target_path')
        self.assertIn(target, self.client.get(url).context['form'].fields)
        res = self.client.post(url, {'provider_id': PROVIDER_ID,
                                     'checkpoint_id': CHECKPOINT_ID,
                                     'restore_target': '',
                                     target: 'docs-restored'})
        self.assertNoFormErrors(res)
        created.assert_called_once_with(
            mock.ANY, PROVIDER_ID, CHECKPOINT_ID, None,
            {DIRECTORY: {'target_path': 'docs-restored'}})
        self.assertRedirectsNoFollow(res, reverse(
            'horizon:project:data_protection_restores:detail',
            args=['r-1']))


class ServicesTest(KarborTestCase):

    def test_admin_lists_the_protection_services_mocked_api(self):
        self.setActiveUser(self.user.id, token=self.token,
                           username=self.user.name,
                           tenant_id=self.tenant.id,
                           service_catalog=self.service_catalog,
                           roles=[{'id': '1', 'name': 'admin'}],
                           authorized_tenants=self.tenants.list())
        listed = self.mock_api('service_list', return_value=[obj(
            id=1, binary='karbor-protection', host='node-1',
            status='enabled', state='up', updated_at='2026-12-01T04:00:00',
            disabled_reason=None)])
        res = self.client.get(reverse(
            'horizon:admin:data_protection_services:index'))
        listed.assert_called_once()
        self.assertContains(res, 'karbor-protection')
        self.assertContains(res, 'node-1')

    def test_a_project_member_cannot_open_it_mocked_api(self):
        listed = self.mock_api('service_list', return_value=[])
        res = self.client.get(reverse(
            'horizon:admin:data_protection_services:index'))
        self.assertNotEqual(200, res.status_code)
        listed.assert_not_called()
