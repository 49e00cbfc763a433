"""A damaged bank object is reported by the next scheduled deep
verification, and a notification carries it: karbor-all with the
messagingv2 driver on the real RabbitMQ, a scheduled ``verify`` (deep) of
a plan's newest checkpoint every 5 seconds (a calendar trigger; the
engine's ``min_interval`` lowered to 5 seconds for the test), created
with python-karborclient's Python API and watched with its ``karbor``
shell, unmodified; an oslo.messaging listener hears the notifications.
"""

import datetime
import os
import random
import time
import uuid

import fixtures
from karborclient.v1 import client as karbor_client

from karbor.services.protection import local_roots
from karbor.tests.e2e import base
from karbor.tests.functional import notifications
from karbor.tests.functional import utils
from karbor.tests import notification_listener

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = local_roots.RESOURCE_TYPE
RUN_START = 'karbor.scheduled_operation.run.start'
data = notification_listener.data


class ScheduledDeepVerifyTest(base.TestCase):

    def setUp(self):
        super().setUp()
        rabbit = self.useFixture(notifications.RabbitNotifications())
        self.listener = rabbit.listener
        sections = dict(rabbit.sections)
        sections['operationengine'] = {'max_sleep': 1, 'min_interval': 5}
        conf_dir = self.useFixture(fixtures.TempDir()).path
        self.server = self.useFixture(base.KarborAll(
            config_file=utils.write_config(
                os.path.join(conf_dir, 'karbor.conf'), sections)))
        self.project = 'e2e-notify-%s' % uuid.uuid4().hex[:8]

    def api(self, method, path, body=None, expected=200):
        status, _, doc = utils.http(
            method, self.server.project_url(self.project) + path, body=body,
            token='admin-token')
        self.assertEqual(expected, status, doc)
        return doc

    def shell(self, *args):
        result = self.karbor(self.server, self.project, *args)
        self.assertSucceeded(result)
        return result.stdout

    def protected_plan(self):
        path = os.path.join(os.path.realpath(self.server.state_path),
                            'protect', self.project, 'docs')
        os.makedirs(path)
        with open(os.path.join(path, 'data.bin'), 'wb') as f:
            f.write(random.Random(5).randbytes(200 * 1024))
        [listed] = [i for i in self.api(
            'GET', '/protectables/%s/instances' % DIRECTORY)['instances']
            if i['name'] == 'docs']
        plan = self.api('POST', '/plans', {'plan': {
            'name': 'nightly', 'provider_id': PROVIDER_ID,
            'resources': [{'id': listed['id'], 'type': DIRECTORY,
                           'name': 'docs'}]}})['plan']
        checkpoint_id = self.api(
            'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
            {'checkpoint': {'plan_id': plan['id']}},
            expected=202)['checkpoint']['id']
        self.listener.wait_for('karbor.checkpoint.create.end', checkpoint_id)
        return plan, path, checkpoint_id

    def run_ended(self, run_id):
        """The end or error notification of run ``run_id``."""
        deadline = time.monotonic() + 60
        while True:
            for n in self.listener.about(run_id):
                if n.event_type in ('karbor.scheduled_operation.run.end',
                                    'karbor.scheduled_operation.run.error'):
                    return n
            self.assertLess(time.monotonic(), deadline,
                            'run %s never ended' % run_id)
            time.sleep(0.2)

    def test_next_scheduled_deep_verify_reports_a_damaged_object(self):
        plan, path, checkpoint_id = self.protected_plan()
        client = karbor_client.Client(self.server.project_url(self.project),
                                      token='admin-token')
        start = datetime.datetime.now(datetime.timezone.utc)
        trigger = client.triggers.create('every-5-seconds', 'time', {
            'format': 'calendar', 'pattern': 'RRULE:FREQ=SECONDLY;INTERVAL=5',
            'start_time': start.strftime('%Y-%m-%dT%H:%M:%S'),
            'window': 30})
        operation = client.scheduled_operations.create(
            'deep-verify-newest', 'verify', trigger.id,
            {'plan_id': plan['id'], 'provider_id': PROVIDER_ID,
             'level': 'deep'})

        # A first run passes.
        first = self.listener.wait_for(RUN_START, operation.id,
                                       key='scheduled_operation_id')
        ended = self.run_ended(data(first)['id'])
        self.assertEqual('success', data(ended)['status'], data(ended))

        # Damage one data object of the checkpoint, behind Karbor's back.
        key = 'checkpoints/%s/resource-data/%s#%s/data/00000000' % (
            checkpoint_id, DIRECTORY, local_roots.directory_id(path))
        with open(os.path.join(self.server.state_path, 'bank', PROVIDER_ID,
                               *key.split('/')), 'r+b') as f:
            f.seek(4096)
            byte = f.read(1)
            f.seek(4096)
            f.write(bytes([byte[0] ^ 0x01]))
        damaged_at = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None).isoformat()

        # The next run due after the damage reports it.
        deadline = time.monotonic() + 60
        while True:
            after = [n for n in self.listener.received
                     if n.event_type == RUN_START and
                     data(n)['scheduled_operation_id'] == operation.id and
                     data(n)['due_at'] > damaged_at]
            if after:
                break
            self.assertLess(time.monotonic(), deadline, 'no run after the '
                            'damage: %s' % self.listener.received)
            time.sleep(0.2)
        error = self.run_ended(data(after[0])['id'])
        self.assertEqual('karbor.scheduled_operation.run.error',
                         error.event_type)
        self.assertEqual('error', error.priority)
        [verification_id] = data(error)['verification_ids']
        self.assertIn(verification_id, data(error)['reason'])
        verified = self.listener.wait_for('karbor.verification.error',
                                          verification_id)
        fields = data(verified)
        self.assertEqual((checkpoint_id, 'deep', 1),
                         (fields['checkpoint_id'], fields['level'],
                          fields['resources_failed']))
        [failed] = fields['failed_resources']
        self.assertEqual('%s#%s' % (DIRECTORY,
                                    local_roots.directory_id(path)),
                         failed['resource'])
        self.assertIn(key, failed['reason'])
        self.assertIn('SHA-256 mismatch', failed['reason'])

        # The shell shows the same.
        self.shell('scheduledoperation-delete', operation.id)
        shown = base.parse_show(self.shell('verification-show',
                                           verification_id))
        self.assertEqual('error', shown['status'])
        self.assertIn(key, str(shown['resource_reason']))
        # Its latest verification (a run may have been under way when
        # the schedule was deleted) failed.
        deadline = time.monotonic() + 60
        while True:
            latest = base.parse_show(self.shell(
                'checkpoint-show', PROVIDER_ID, checkpoint_id))[
                'verification']
            if latest['status'] != 'verifying':
                break
            self.assertLess(time.monotonic(), deadline, latest)
            time.sleep(0.5)
        self.assertEqual('error', latest['status'])
        self.assertEqual('deep', latest['level'])
        self.shell('trigger-delete', trigger.id)
