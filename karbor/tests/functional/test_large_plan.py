"""A plan as large as the API allows (5,000 resources: local directories)
created, protected, verified and restored through karbor-api and
karbor-protection, on MariaDB and on PostgreSQL.

``KARBOR_LARGE_PLAN`` changes the number of directories (at most the
API's limit); the time of each step is in the test's details and in its
failure message.
"""

import logging
import os
import time
import uuid

import fixtures
from oslotest import base
from testtools import content

from karbor.api.schemas.v1 import common as api_limits
from karbor.common import constants
from karbor.services.protection import local_roots
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import utils

DIRECTORY = local_roots.RESOURCE_TYPE
SIZE = int(os.environ.get('KARBOR_LARGE_PLAN',
                          api_limits.MAX_PLAN_RESOURCES))
SERVICE_DOWN_TIME = 60
# Each step, on a loaded machine.
STEP_TIMEOUT = 1800


# A local provider whose file-system bank does not fsync each object: the
# bank is a throwaway directory, and 5,000 resources make tens of
# thousands of objects.
PROVIDER_ID = 'a1a26e00-5f60-4a8b-9c0d-1e2f3a4b5c6d'


def configure(services, sections):
    processes.make_protect_root(services)
    providers_dir = os.path.join(services.tmp, 'providers.d')
    os.makedirs(providers_dir)
    utils.write_config(os.path.join(providers_dir, 'large.conf'), {
        'provider': {'id': PROVIDER_ID, 'name': 'Large Local Provider',
                     'bank': 'file_system', 'plugin': 'local_directory'},
        'file_system_bank': {'path': os.path.join(services.tmp, 'bank'),
                             'fsync': 'false'},
        'local_directory': {'allowed_roots': services.root}})
    sections['providers'] = {'config_dir': providers_dir}


class _LargePlan(processes.ProcessTestMixin):

    backend = None

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.services = self.useFixture(processes.KarborServices(
            self.backend, SERVICE_DOWN_TIME, configure=configure))
        self.project = uuid.uuid4().hex
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (self.services.port,
                                                       self.project)
        self.wait_protection_up()
        self.timings = []

    def step(self, name, function):
        started = time.monotonic()
        result = function()
        self.timings.append((name, time.monotonic() - started))
        return result

    def report(self):
        return '%s, plan of %d directories: %s' % (
            self.backend, SIZE, ', '.join('%s %.1f s' % t
                                          for t in self.timings))

    def until(self, path, key, running, what):
        def ended():
            doc = self.request('GET', path)[key]
            return doc if doc['status'] != running else None
        return self.wait(ended, what, timeout=STEP_TIMEOUT, interval=1)

    def test_protect_verify_restore(self):
        self.assertLessEqual(SIZE, api_limits.MAX_PLAN_RESOURCES)
        root = self.services.root
        names = ['d%05d' % n for n in range(SIZE)]
        for name in names:
            os.makedirs(os.path.join(root, name))
            with open(os.path.join(root, name, 'file'), 'w') as f:
                f.write(name)
        ids = self.list_directories()
        resources = [{'id': ids[n], 'type': DIRECTORY, 'name': n}
                     for n in names]

        plan = self.step('plan', lambda: self.request('POST', '/plans', {
            'plan': {'name': 'large', 'provider_id': PROVIDER_ID,
                     'resources': resources}})['plan'])
        self.assertEqual(SIZE, len(plan['resources']))

        checkpoints = '/providers/%s/checkpoints' % PROVIDER_ID

        def protect():
            made = self.request('POST', checkpoints, {
                'checkpoint': {'plan_id': plan['id']}},
                expected=202)['checkpoint']
            return self.until('%s/%s' % (checkpoints, made['id']),
                              'checkpoint',
                              constants.CHECKPOINT_STATUS_PROTECTING,
                              'checkpoint of %d directories' % SIZE)
        checkpoint = self.step('protect', protect)
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint['status'], self.report())
        self.assertEqual(SIZE,
                         len(checkpoint['protection_plan']['resources']))

        def verify():
            made = self.request('POST', '/verifications', {'verification': {
                'provider_id': PROVIDER_ID,
                'checkpoint_id': checkpoint['id']}},
                expected=202)['verification']
            return self.until('/verifications/%s' % made['id'],
                              'verification',
                              constants.VERIFICATION_STATUS_VERIFYING,
                              'verification of %d directories' % SIZE)
        verification = self.step('verify', verify)
        self.assertEqual(constants.VERIFICATION_STATUS_SUCCESS,
                         verification['status'], self.report())
        self.assertEqual(SIZE, len(verification['resource_status']))

        def restore():
            made = self.request('POST', '/restores', {'restore': {
                'provider_id': PROVIDER_ID,
                'checkpoint_id': checkpoint['id']}}, expected=202)['restore']
            return self.until('/restores/%s' % made['id'], 'restore',
                              constants.RESTORE_STATUS_IN_PROGRESS,
                              'restore of %d directories' % SIZE)
        restored = self.step('restore', restore)
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS,
                         restored['status'], self.report())
        self.assertEqual(SIZE, len(restored['resources_status']))
        copies = [n for n in os.listdir(root) if '.restored-' in n]
        self.assertEqual(SIZE, len(copies))
        for copy in copies[:: max(1, SIZE // 50)]:
            with open(os.path.join(root, copy, 'file')) as f:
                self.assertEqual(copy.split('.restored-')[0], f.read())

        summary = self.report()
        print(summary)
        self.addDetail('large-plan', content.text_content(summary))


class LargePlanMySQL(_LargePlan, base.BaseTestCase):
    backend = ft_fixtures.MYSQL


class LargePlanPostgreSQL(_LargePlan, base.BaseTestCase):
    backend = ft_fixtures.POSTGRESQL
