"""Notifications sent by a real protection service and operation engine in
the process, over oslo.messaging's in-process transport (``fake:/``) with
the ``messagingv2`` driver, received by an oslo.messaging notification
listener on the same transport. The functional test does the same over
the real RabbitMQ."""

import datetime
import logging
import uuid

import fixtures

from karbor.common import notify
from karbor.db import restores as restores_db
from karbor.db import verifications as verifications_db
from karbor.tests import notification_listener
from karbor.tests.unit.operationengine import test_engine
from karbor.tests.unit.verification import base

data = notification_listener.data
DEEP = {base.DIRECTORY: {'level': 'deep'}}


class _Notifications:
    """Mixed into a test case: the messagingv2 driver on a topic of the
    test's own, and a listener on it (``self.listener``)."""

    transport_url = 'fake:/'

    def listen(self, **options):
        self.topic = 'karbor-test-%s' % uuid.uuid4().hex[:8]
        options.setdefault('transport_url', self.transport_url)
        self.conf.config(driver=['messagingv2'], topics=[self.topic],
                         group='oslo_messaging_notifications', **options)
        notify.cleanup()
        self.listener = self.useFixture(notification_listener.Listener(
            notify.transport(), self.topic))

    def assertPayload(self, notification, name, **fields):
        payload = notification.payload
        self.assertEqual(name, payload['karbor_object.name'])
        self.assertEqual('1.0', payload['karbor_object.version'])
        self.assertEqual('karbor', payload['karbor_object.namespace'])
        for key, value in fields.items():
            self.assertEqual(value, data(notification)[key], key)


class OperationNotificationsTest(_Notifications,
                                 base.VerificationTestCase):

    def setUp(self):
        super().setUp()
        self.listen()

    def damage_beta(self, checkpoint_id):
        key = self.object_key(checkpoint_id, 'beta', 'data/00000000')
        with open(self.bank_file(key), 'r+b') as f:
            f.seek(100)
            byte = f.read(1)
            f.seek(100)
            f.write(bytes([byte[0] ^ 0x01]))
        return key

    def test_protect_deep_verify_restore(self):
        checkpoint = self.available_checkpoint(dirs=('alpha', 'beta'))
        cid = checkpoint['id']
        start = self.listener.wait_for('karbor.checkpoint.create.start', cid)
        end = self.listener.wait_for('karbor.checkpoint.create.end', cid)
        self.assertEqual(['karbor.checkpoint.create.start',
                          'karbor.checkpoint.create.end'],
                         [n.event_type for n in self.listener.about(cid)])
        self.assertPayload(start, 'CheckpointPayload', status='protecting',
                           project_id=self.project,
                           provider_id=base.LOCAL_PROVIDER_ID)
        self.assertPayload(end, 'CheckpointPayload', status='available',
                           plan_id=checkpoint['protection_plan']['id'])
        self.assertEqual('info', end.priority)
        self.assertEqual('karbor.test-host', end.publisher_id)
        self.assertEqual(self.project, end.context['project_id'])

        damaged = self.damage_beta(cid)
        shown = self.verified(cid, DEEP, status='error')
        vid = shown['id']
        self.listener.wait_for('karbor.verification.start', vid)
        error = self.listener.wait_for('karbor.verification.error', vid)
        self.assertEqual('error', error.priority)
        self.assertPayload(
            error, 'VerificationPayload', status='error', level='deep',
            checkpoint_id=cid, resources_total=2, resources_passed=1,
            resources_failed=1, status_reason=shown['status_reason'])
        [failed] = data(error)['failed_resources']
        self.assertEqual(self.resource_key('beta'), failed['resource'])
        self.assertEqual('error', failed['status'])
        self.assertIn(damaged, failed['reason'])
        self.assertIn('SHA-256', failed['reason'])
        self.assertEqual(shown['resource_reason'][failed['resource']],
                         failed['reason'])
        self.assertEqual(shown['progress']['bytes_checked'],
                         data(error)['bytes_checked'])
        self.assertGreater(data(error)['bytes_checked'], 0)
        self.assertEqual(shown['ended_at'], data(error)['ended_at'])

        restore = self.post('restores', {'restore': {
            'provider_id': base.LOCAL_PROVIDER_ID, 'checkpoint_id': cid,
            'parameters': {'ignore_failed_verification': True}}},
            status=202).json['restore']
        rid = restore['id']
        self.listener.wait_for('karbor.restore.start', rid)
        ended = self.wait_for(
            lambda: self.get('restores/' + rid).json['restore'],
            lambda r: r['status'] != 'in_progress')
        phase = 'end' if ended['status'] == 'success' else 'error'
        last = self.listener.wait_for('karbor.restore.%s' % phase, rid)
        self.assertPayload(last, 'RestorePayload', status=ended['status'],
                           checkpoint_id=cid)
        self.assertEqual(vid, data(last)['checkpoint_verification']['id'])

        self.delete(self.checkpoints_path(rest='/' + cid), status=202)
        self.listener.wait_for('karbor.checkpoint.delete.start', cid)
        deleted = self.listener.wait_for('karbor.checkpoint.delete.end',
                                         cid)
        self.assertPayload(deleted, 'CheckpointPayload', status='deleted')


class ResetStateNotificationsTest(_Notifications, base.VerificationTestCase):

    def setUp(self):
        super().setUp()
        self.listen()

    def test_a_reset_of_a_running_operation_ends_it_with_a_notification(
            self):
        verification = verifications_db.verification_create({
            'project_id': self.project, 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': str(uuid.uuid4()), 'status': 'verifying',
            'parameters': DEEP})
        self.assertIsNotNone(verifications_db.verification_reset_state(
            verification.id, 'verifying', 'error', 'stuck for a day'))
        error = self.listener.wait_for('karbor.verification.error',
                                       verification.id)
        self.assertPayload(error, 'VerificationPayload', status='error',
                           status_reason='stuck for a day', level='deep')
        # A reset of an operation that had ended sends nothing more.
        verifications_db.verification_reset_state(
            verification.id, 'error', 'success', 'checked by hand')
        restore = restores_db.restore_create({
            'project_id': self.project, 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': str(uuid.uuid4()), 'status': 'in_progress',
            'parameters': {}})
        restores_db.restore_reset_state(restore.id, 'in_progress',
                                        'success', 'done by hand')
        ended = self.listener.wait_for('karbor.restore.end', restore.id)
        self.assertPayload(ended, 'RestorePayload', status='success')
        self.assertEqual(
            ['karbor.verification.error'],
            [n.event_type for n in self.listener.about(verification.id)])


class BrokenNotifierTest(_Notifications, base.VerificationTestCase):
    """The notifications go to a RabbitMQ URL where nothing listens (port
    1) and are given up at once (``retry = 0``): operations end as they
    would without notifications, and the failure is logged."""

    def test_an_unreachable_broker_never_fails_an_operation(self):
        logs = self.useFixture(fixtures.FakeLogger(level=logging.WARNING))
        self.conf.config(driver=['messagingv2'], retry=0,
                         transport_url='rabbit://guest:guest@127.0.0.1:1/',
                         group='oslo_messaging_notifications')
        notify.cleanup()
        checkpoint = self.available_checkpoint(dirs=('alpha',))
        self.assertEqual('available', checkpoint['status'])
        shown = self.verified(checkpoint['id'], DEEP, status='success')
        self.assertEqual('success', shown['status'])
        notify.cleanup(timeout=30)
        self.assertIn('Could not send notification',
                      logs.output)


class DisabledNotifierTest(base.VerificationTestCase):

    def test_no_driver_sends_nothing(self):
        self.assertFalse(notify.enabled())
        self.conf.config(driver=['noop'],
                         group='oslo_messaging_notifications')
        self.assertFalse(notify.enabled())
        self.available_checkpoint(dirs=('alpha',))
        # Nothing was even set up to send.
        self.assertIsNone(notify._NOTIFIER)


class ScheduledRunNotificationsTest(_Notifications,
                                    test_engine.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.listen()

    def test_run_start_end_and_missed(self):
        op = self.schedule(self.trigger(window=60))
        engine = self.engine()
        first = self.due(op)
        # Down for two due times (five minutes apart), back past the
        # window of the second: both missed.
        second = first + datetime.timedelta(minutes=5)
        self.clock.at(second + datetime.timedelta(minutes=2))
        engine.tick()
        missed = self.listener.wait_count(
            'karbor.scheduled_operation.run.missed', 2)
        self.assertEqual(2, len(missed), self.listener.received)
        self.assertEqual([first.isoformat(), second.isoformat()],
                         sorted(data(n)['due_at'] for n in missed))
        for n in missed:
            self.assertEqual('warn', n.priority)
            self.assertPayload(n, 'ScheduledRunPayload', status='missed',
                               scheduled_operation_id=op['id'],
                               scheduled_operation_name='so',
                               operation_type='protect')
            self.assertIn('2 due times', data(n)['reason'])

        due = self.run_due(engine, op)
        run = self.settle(engine, op)
        started = self.listener.wait_for(
            'karbor.scheduled_operation.run.start', run['id'])
        self.assertPayload(started, 'ScheduledRunPayload',
                           status='running', due_at=due.isoformat(),
                           scheduled_operation_id=op['id'])
        ended = self.listener.wait_for(
            'karbor.scheduled_operation.run.end', run['id'])
        self.assertPayload(ended, 'ScheduledRunPayload', status='success',
                           checkpoint_id=run['checkpoint_id'],
                           scheduled_operation_id=op['id'],
                           trigger_id=op['trigger_id'])
        self.listener.wait_for('karbor.checkpoint.create.end',
                               run['checkpoint_id'])

    def test_a_failed_run_is_an_error(self):
        op = self.schedule(self.trigger(), 'verify')
        self.run_due(self.engine(), op)
        run = self.show(op)['last_run']
        self.assertEqual('error', run['status'])
        error = self.listener.wait_for(
            'karbor.scheduled_operation.run.error', run['id'])
        self.assertEqual('error', error.priority)
        self.assertPayload(error, 'ScheduledRunPayload', status='error',
                           operation_type='verify',
                           scheduled_operation_id=op['id'])
        self.assertIn('no available checkpoint', data(error)['reason'])
