"""Notifications of karbor-all on the real RabbitMQ (127.0.0.1:5672), with
the messagingv2 driver, heard by an oslo.messaging notification listener:
a protect, a deep verification of the checkpoint after one of its bank
objects was damaged (it fails, and says which resource and why), a
restore of it anyway, and a scheduled run (a calendar trigger every 5
seconds)."""

import datetime
import os
import random
import time

import fixtures
from oslotest import base as oslo_base
from testtools import content

from karbor.services.protection import local_roots
from karbor.tests.e2e import base as e2e_base
from karbor.tests.functional import notifications
from karbor.tests.functional import utils
from karbor.tests import notification_listener

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = local_roots.RESOURCE_TYPE
PROJECT = 'notified'
data = notification_listener.data


class KarborAllNotificationsTest(oslo_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.rabbit = self.useFixture(notifications.RabbitNotifications())
        self.listener = self.rabbit.listener
        conf_dir = self.useFixture(fixtures.TempDir()).path
        sections = dict(self.rabbit.sections)
        sections['operationengine'] = {'max_sleep': 1, 'min_interval': 5}
        conf = utils.write_config(os.path.join(conf_dir, 'karbor.conf'),
                                  sections)
        self.server = self.useFixture(e2e_base.KarborAll(config_file=conf))

    def api(self, method, path, body=None, expected=200):
        status, _, doc = utils.http(
            method, self.server.project_url(PROJECT) + path, body=body,
            token='admin-token')
        self.assertEqual(expected, status, doc)
        return doc

    def make_plan(self):
        path = os.path.join(os.path.realpath(self.server.state_path),
                            'protect', PROJECT, 'docs')
        os.makedirs(path)
        with open(os.path.join(path, 'data.bin'), 'wb') as f:
            f.write(random.Random(11).randbytes(300 * 1024))
        [listed] = [i for i in self.api(
            'GET', '/protectables/%s/instances' % DIRECTORY)['instances']
            if i['name'] == 'docs']
        plan = self.api('POST', '/plans', {'plan': {
            'name': 'notified', 'provider_id': PROVIDER_ID,
            'resources': [{'id': listed['id'], 'type': DIRECTORY,
                           'name': 'docs'}]}})['plan']
        return plan, path

    def flip_byte(self, checkpoint_id, path):
        key = 'checkpoints/%s/resource-data/%s#%s/data/00000000' % (
            checkpoint_id, DIRECTORY, local_roots.directory_id(path))
        bank_file = os.path.join(self.server.state_path, 'bank',
                                 PROVIDER_ID, *key.split('/'))
        with open(bank_file, 'r+b') as f:
            f.seek(1000)
            byte = f.read(1)
            f.seek(1000)
            f.write(bytes([byte[0] ^ 0xff]))
        return key

    def assertVersioned(self, notification, name):
        self.assertEqual(
            (name, '1.0', 'karbor'),
            (notification.payload['karbor_object.name'],
             notification.payload['karbor_object.version'],
             notification.payload['karbor_object.namespace']))
        self.assertTrue(notification.publisher_id.startswith('karbor.'))
        self.assertEqual(PROJECT, notification.context['project_id'])

    def test_protect_failed_deep_verification_restore_and_scheduled_run(
            self):
        plan, path = self.make_plan()
        resource = '%s#%s' % (DIRECTORY, local_roots.directory_id(path))

        # Protect.
        checkpoint_id = self.api(
            'POST', '/providers/%s/checkpoints' % PROVIDER_ID,
            {'checkpoint': {'plan_id': plan['id']}},
            expected=202)['checkpoint']['id']
        start = self.listener.wait_for('karbor.checkpoint.create.start',
                                       checkpoint_id)
        end = self.listener.wait_for('karbor.checkpoint.create.end',
                                     checkpoint_id)
        for n in (start, end):
            self.assertVersioned(n, 'CheckpointPayload')
            self.assertEqual('info', n.priority)
            self.assertEqual(plan['id'], data(n)['plan_id'])
        self.assertEqual(('protecting', 'available'),
                         (data(start)['status'], data(end)['status']))

        # A deep verification of the damaged checkpoint fails.
        damaged = self.flip_byte(checkpoint_id, path)
        verification_id = self.api('POST', '/verifications', {
            'verification': {
                'provider_id': PROVIDER_ID, 'checkpoint_id': checkpoint_id,
                'parameters': {DIRECTORY: {'level': 'deep'}}}},
            expected=202)['verification']['id']
        started = self.listener.wait_for('karbor.verification.start',
                                         verification_id)
        self.assertEqual('verifying', data(started)['status'])
        error = self.listener.wait_for('karbor.verification.error',
                                       verification_id)
        self.assertVersioned(error, 'VerificationPayload')
        self.assertEqual('error', error.priority)
        shown = self.api('GET', '/verifications/%s' % verification_id)[
            'verification']
        fields = data(error)
        self.assertEqual(
            ('error', 'deep', checkpoint_id, 1, 0, 1),
            (fields['status'], fields['level'], fields['checkpoint_id'],
             fields['resources_total'], fields['resources_passed'],
             fields['resources_failed']))
        self.assertEqual(shown['status_reason'], fields['status_reason'])
        self.assertEqual(shown['progress']['bytes_checked'],
                         fields['bytes_checked'])
        [failed] = fields['failed_resources']
        self.assertEqual((resource, 'error'),
                         (failed['resource'], failed['status']))
        self.assertIn(damaged, failed['reason'])
        self.assertIn('SHA-256 mismatch', failed['reason'])

        # A restore of it anyway.
        restore_id = self.api('POST', '/restores', {'restore': {
            'provider_id': PROVIDER_ID, 'checkpoint_id': checkpoint_id,
            'parameters': {'ignore_failed_verification': True}}},
            expected=202)['restore']['id']
        self.listener.wait_for('karbor.restore.start', restore_id)
        deadline = time.monotonic() + 60
        while True:
            restore = self.api('GET', '/restores/%s' % restore_id)[
                'restore']
            if restore['status'] != 'in_progress':
                break
            self.assertLess(time.monotonic(), deadline, restore)
            time.sleep(0.3)
        phase = 'end' if restore['status'] == 'success' else 'error'
        ended = self.listener.wait_for('karbor.restore.%s' % phase,
                                       restore_id)
        self.assertVersioned(ended, 'RestorePayload')
        self.assertEqual(restore['status'], data(ended)['status'])
        record = data(ended)['checkpoint_verification']
        self.assertEqual((verification_id, 'error', True),
                         (record['id'], record['status'],
                          record['failure_ignored']))

        # A scheduled protect, every 5 seconds.
        now = datetime.datetime.now(datetime.timezone.utc)
        trigger = self.api('POST', '/triggers', {'trigger_info': {
            'name': 'every-5-seconds', 'type': 'time', 'properties': {
                'format': 'calendar',
                'pattern': 'RRULE:FREQ=SECONDLY;INTERVAL=5',
                'start_time': now.strftime('%Y-%m-%dT%H:%M:%S'),
                'window': 30}}})['trigger_info']
        operation = self.api('POST', '/scheduled_operations', {
            'scheduled_operation': {
                'name': 'protect-docs', 'operation_type': 'protect',
                'trigger_id': trigger['id'],
                'operation_definition': {'plan_id': plan['id'],
                                         'provider_id': PROVIDER_ID}}})[
            'scheduled_operation']
        run_start = self.listener.wait_for(
            'karbor.scheduled_operation.run.start', operation['id'],
            key='scheduled_operation_id')
        run_id = data(run_start)['id']
        run_end = self.listener.wait_for(
            'karbor.scheduled_operation.run.end', run_id)
        self.api('DELETE', '/scheduled_operations/%s' % operation['id'],
                 expected=204)
        for n in (run_start, run_end):
            self.assertVersioned(n, 'ScheduledRunPayload')
            self.assertEqual(
                (operation['id'], 'protect-docs', 'protect', trigger['id']),
                (data(n)['scheduled_operation_id'],
                 data(n)['scheduled_operation_name'],
                 data(n)['operation_type'], data(n)['trigger_id']))
        self.assertEqual(('running', 'success'),
                         (data(run_start)['status'], data(run_end)['status']))
        self.assertEqual(data(run_start)['due_at'], data(run_end)['due_at'])
        scheduled = data(run_end)['checkpoint_id']
        self.assertEqual(
            'available', data(self.listener.wait_for(
                'karbor.checkpoint.create.end', scheduled))['status'])
        # From the commit (the row's last update) to the listener.
        latencies = [notification_listener.latency(n, 'updated_at')
                     for n in (end, ended)] + [
            notification_listener.latency(error, 'ended_at'),
            notification_listener.latency(run_end, 'ended_at')]
        self.addDetail('notifications', content.text_content(
            '\n'.join('%s %s %s' % (n.priority, n.event_type,
                                    data(n).get('id'))
                      for n in self.listener.received) +
            '\nlatency (s) of checkpoint.create.end, restore end, '
            'verification.error, run.end: %s' % ', '.join(
                '%.3f' % s for s in latencies)))
        for seconds in latencies:
            self.assertLess(seconds, 5.0)
