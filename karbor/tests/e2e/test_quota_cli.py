"""Quotas through the ``karbor`` shell of python-karborclient 2.1.0,
unmodified, against karbor-all: ``quota-show`` (and ``--detail``),
``quota-defaults``, ``quota-update``, ``quota-class-show``,
``quota-class-update``; a plan past the limit refused by ``plan-create``
with the quota's message; who may do what."""

import os
import uuid

from karbor.services.protection import local_roots
from karbor.tests.e2e import base

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = local_roots.RESOURCE_TYPE


class QuotaCliTest(base.SharedServerTestCase):

    def setUp(self):
        super().setUp()
        self.project = self.PROJECT = 'e2e-quota-%s' % uuid.uuid4().hex[:8]

    def plan_create(self, name, token='admin-token'):
        path = os.path.join(os.path.realpath(self.server.state_path),
                            'protect', self.project, name)
        os.makedirs(path, exist_ok=True)
        [resource_id] = [i['Id'] for i in self.rows(
            'protectable-list-instances', DIRECTORY, token=token)
            if i['Name'] == name]
        return self.run_karbor(
            'plan-create', name, PROVIDER_ID, '%s=%s=%s' % (
                resource_id, DIRECTORY, name), token=token)

    def test_show_update_and_refuse(self):
        member = 'bob:%s' % self.project
        shown = self.show('quota-show', '--tenant', self.project,
                          token=member)
        self.assertEqual({'id': self.project, 'plans': '50',
                          'checkpoints': '-1'}, shown)
        self.assertEqual(shown, self.show('quota-defaults', '--tenant',
                                          self.project, token=member))
        detail = self.ok('quota-show', '--tenant', self.project, '--detail',
                         token=member)
        self.assertIn('limit = 50', detail)
        self.assertIn('in_use = 0', detail)

        # A member may not raise its own quota; the administrator may
        # lower it.
        result = self.run_karbor('quota-update', self.project, '--plans',
                                 '500', token=member)
        self.assertFailedWith(result, 'HTTP 403')
        updated = self.show('quota-update', self.project, '--plans', '1')
        self.assertEqual('1', updated['plans'])
        self.assertEqual('1', self.show('quota-show', '--tenant',
                                        self.project)['plans'])
        # Another project's member does not see it.
        result = self.run_karbor('quota-show', '--tenant', self.project,
                                 token='eve:elsewhere-%s' % self.project)
        self.assertFailedWith(result, 'HTTP 403')

        self.assertSucceeded(self.plan_create('first', token=member))
        result = self.plan_create('second', token=member)
        self.assertFailedWith(result, 'HTTP 413', 'quota exceeded',
                              'plans of project %s is limited to 1' %
                              self.project)
        self.assertEqual(['first'], [p['Name'] for p in self.rows(
            'plan-list', token=member)])
        detail = self.ok('quota-show', '--tenant', self.project, '--detail')
        self.assertIn('in_use = 1', detail)
        self.assertIn('limit = 1', detail)

        # Unlimited: -1.
        self.show('quota-update', self.project, '--plans', '-1')
        self.assertSucceeded(self.plan_create('second', token=member))

    def test_quota_classes(self):
        shown = self.show('quota-class-show', 'default')
        self.assertEqual('default', shown['id'])
        result = self.run_karbor('quota-class-show', 'default',
                                 token='bob:%s' % self.project)
        self.assertFailedWith(result, 'HTTP 403')
        result = self.run_karbor('quota-class-update', 'default',
                                 '--plans', '7',
                                 token='bob:%s' % self.project)
        self.assertFailedWith(result, 'HTTP 403')
        # The class is shared by every test of this server: set it back.
        before = shown['plans']
        self.addCleanup(self.ok, 'quota-class-update', 'default', '--plans',
                        before)
        self.assertEqual('7', self.show('quota-class-update', 'default',
                                        '--plans', '7')['plans'])
        # A project without its own limit gets the class's.
        self.assertEqual('7', self.show('quota-defaults', '--tenant',
                                        self.project)['plans'])
        self.assertEqual('7', self.show('quota-show', '--tenant',
                                        self.project)['plans'])
