"""Handing work to the protection service when the message broker is down,
never answers, or nobody consumes: a bounded 503 that ends what was
recorded, or a 202 that says nobody is up to run it.

The broker is real in its absence: oslo.messaging's rabbit driver talks to
a port of 127.0.0.1 where nothing listens, or to a socket that accepts
connections and never says a word. No mock.
"""

import socket
import threading
import time

from karbor.api.controllers.v1 import handover
from karbor.common import constants
from karbor.common import rpc
from karbor.db import services as services_db
from karbor.tests.unit.api_v1 import base

UNREACHABLE = ('the protection service cannot be reached: the message '
               'broker is unavailable; try again later')
# What a 503 may take beyond [api] rpc_cast_timeout (database writes).
MARGIN = 1.5


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class SilentBroker:
    """A TCP server that accepts connections and never answers: the
    AMQP handshake waits."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


class BrokerDownTest(base.ProtectionApiTestCase):
    """An available checkpoint is made with the service in the process;
    then the service stops and the API's broker goes away."""

    start_service = True

    def setUp(self):
        super().setUp()
        self.plan = self.create_plan('docs plan')
        self.checkpoint = self.create_checkpoint(self.plan['id'])
        self.service.stop()
        self.conf.config(rpc_cast_timeout=3.0, group='api')

    def break_broker(self, port=None):
        """From now on the API's broker is 127.0.0.1:``port`` (by default
        a port where nothing listens)."""
        rpc.cleanup()
        self.conf.config(transport_url='rabbit://guest:guest@127.0.0.1:%d/'
                         % (port or free_port()))

    def timed(self, method, path, body=None):
        started = time.monotonic()
        resp = self.request(method, self.url(path), token=base.ADMIN,
                            body=body)
        return resp, time.monotonic() - started

    def assertUnreachable(self, resp, took):
        message = self.assertFault(resp, 503, 'serviceUnavailable')
        self.assertEqual(UNREACHABLE, message)
        limit = self.conf.conf.api.rpc_cast_timeout + MARGIN
        self.assertLess(took, limit, 'a 503 took %.2fs' % took)
        return message

    def operation_log(self, **ids):
        logs = self.get('operation_logs').json['operation_logs']
        found = [log for log in logs
                 if all(log.get(k) == v for k, v in ids.items())]
        self.assertEqual(1, len(found), logs)
        return found[0]

    def assertLogEnded(self, log, reason):
        self.assertEqual(constants.OPERATION_LOG_STATUS_ERROR, log['status'])
        self.assertEqual(reason, log['error_info'])
        self.assertIsNotNone(log['ended_at'])

    def test_protect_ends_the_checkpoint_in_error(self):
        self.break_broker()
        resp, took = self.timed('POST', self.checkpoints_path(),
                                {'checkpoint': {'plan_id': self.plan['id']}})
        reason = self.assertUnreachable(resp, took)
        rows = [c for c in self.get(self.checkpoints_path()).json[
            'checkpoints'] if c['id'] != self.checkpoint['id']]
        self.assertEqual(1, len(rows), rows)
        self.assertEqual(constants.CHECKPOINT_STATUS_ERROR, rows[0]['status'])
        self.assertEqual(reason, rows[0]['status_reason'])
        self.assertLogEnded(self.operation_log(
            checkpoint_id=rows[0]['id'],
            operation_type=constants.OPERATION_PROTECT), reason)

    def test_verify_ends_the_verification_in_error(self):
        self.break_broker()
        resp, took = self.timed('POST', 'verifications', {'verification': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'parameters': {}}})
        reason = self.assertUnreachable(resp, took)
        rows = self.get('verifications').json['verifications']
        self.assertEqual(1, len(rows), rows)
        self.assertEqual(constants.VERIFICATION_STATUS_ERROR,
                         rows[0]['status'])
        self.assertEqual(reason, rows[0]['status_reason'])
        self.assertIsNotNone(rows[0]['ended_at'])
        self.assertLogEnded(self.operation_log(
            verification_id=rows[0]['id']), reason)
        # Nothing runs on it: the checkpoint can be verified again.
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         self.show_checkpoint(self.checkpoint['id'])[
                             'status'])

    def test_restore_ends_the_restore_failed(self):
        self.break_broker()
        resp, took = self.timed('POST', 'restores', {'restore': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'],
            'restore_target': None, 'parameters': {}}})
        reason = self.assertUnreachable(resp, took)
        rows = self.get('restores').json['restores']
        self.assertEqual(1, len(rows), rows)
        self.assertEqual(constants.RESTORE_STATUS_FAILURE, rows[0]['status'])
        self.assertEqual(reason, rows[0]['status_reason'])
        self.assertLogEnded(self.operation_log(restore_id=rows[0]['id']),
                            reason)

    def test_delete_leaves_the_checkpoint_as_it_was(self):
        self.break_broker()
        resp, took = self.timed(
            'DELETE', self.checkpoints_path(rest='/' + self.checkpoint['id']))
        reason = self.assertUnreachable(resp, took)
        shown = self.show_checkpoint(self.checkpoint['id'])
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         shown['status'])
        self.assertEqual(reason, shown['status_reason'])
        self.assertLogEnded(self.operation_log(
            checkpoint_id=self.checkpoint['id'],
            operation_type=constants.OPERATION_DELETE), reason)

    def test_a_broker_that_never_answers_is_bounded(self):
        broker = SilentBroker()
        self.addCleanup(broker.close)
        self.conf.config(rpc_cast_timeout=1.0, group='api')
        self.break_broker(broker.port)
        resp, took = self.timed('POST', 'verifications', {'verification': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'parameters': {}}})
        self.assertUnreachable(resp, took)
        # The driver did reach the socket: the bound, not a refusal, ended
        # the wait.
        self.assertTrue(broker.connections)
        self.assertGreaterEqual(took, 1.0)
        rows = self.get('verifications').json['verifications']
        self.assertEqual([constants.VERIFICATION_STATUS_ERROR],
                         [r['status'] for r in rows])

    def test_reads_are_answered_while_posts_fail(self):
        broker = SilentBroker()
        self.addCleanup(broker.close)
        self.break_broker(broker.port)
        posts = []

        def post():
            posts.append(self.timed('POST', 'verifications', {
                'verification': {'provider_id': base.LOCAL_PROVIDER_ID,
                                 'checkpoint_id': self.checkpoint['id'],
                                 'parameters': {}}}))

        threads = [threading.Thread(target=post) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.5)
            started = time.monotonic()
            self.get(self.checkpoints_path(rest='/' + self.checkpoint['id']))
            self.get('verifications')
            self.assertLess(time.monotonic() - started, 1.0)
        finally:
            for thread in threads:
                thread.join(30)
        self.assertEqual(4, len(posts))
        for resp, took in posts:
            self.assertUnreachable(resp, took)


class NobodyUpTest(base.ProtectionApiTestCase):
    """Work accepted while no protection service runs waits; the answer
    says that nobody is up to run it, until one takes it."""

    def test_queued_work_says_nobody_is_up_then_runs(self):
        plan = self.create_plan('docs plan')
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}}, status=202)
        checkpoint = resp.json['checkpoint']
        self.assertEqual(constants.CHECKPOINT_STATUS_PROTECTING,
                         checkpoint['status'])
        self.assertTrue(checkpoint['status_reason'].startswith(
            'waiting: no protection service is up'), checkpoint)
        # The same on a later look, and in os-services: none listed.
        self.assertEqual(checkpoint['status_reason'],
                         self.show_checkpoint(checkpoint['id'])[
                             'status_reason'])
        self.assertEqual([], self.get('os-services').json['services'])

        self.start_protection_service()
        done = self.wait_checkpoint(checkpoint['id'])
        self.assertIsNone(done['status_reason'])

        # With a service up, nothing to say.
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}}, status=202)
        self.assertIsNone(resp.json['checkpoint']['status_reason'])
        self.wait_checkpoint(resp.json['checkpoint']['id'])

    def test_a_service_that_stopped_is_down_at_once(self):
        service = self.start_protection_service()
        self.assertEqual(['up'], [s['state'] for s in self.get(
            'os-services').json['services']])
        service.stop()
        # Not after service_down_time: its clean stop said so.
        self.assertEqual(['down'], [s['state'] for s in self.get(
            'os-services').json['services']])
        plan = self.create_plan('docs plan')
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}}, status=202)
        self.assertTrue(resp.json['checkpoint']['status_reason'].startswith(
            'waiting: no protection service is up'))

    def test_a_yes_is_kept_until_a_service_row_changes_counted_mocked(self):
        # services_db.service_get_all is wrapped (it still runs) to count
        # the looks; the yes is kept an hour here instead of a second.
        self.patch(handover, '_UP_FOR', 3600)
        looks = []
        real = services_db.service_get_all
        self.patch(handover.services_db, 'service_get_all',
                   lambda *a, **k: looks.append(a) or real(*a, **k))
        service = self.start_protection_service()
        plan = self.create_plan('docs plan')
        for _ in range(2):
            resp = self.post(self.checkpoints_path(),
                             {'checkpoint': {'plan_id': plan['id']}},
                             status=202)
            self.assertIsNone(resp.json['checkpoint']['status_reason'])
            self.wait_checkpoint(resp.json['checkpoint']['id'])
        self.assertEqual(1, len(looks))
        # Its stop writes its row (down at once): the next hand-over looks
        # again and says so.
        service.stop()
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}}, status=202)
        self.assertTrue(resp.json['checkpoint']['status_reason'].startswith(
            'waiting: no protection service is up'))
        self.assertEqual(2, len(looks))

    def test_a_service_of_another_topic_does_not_count(self):
        services_db.service_report('elsewhere',
                                   constants.SERVICE_BINARY_PROTECTION,
                                   'another-topic')
        plan = self.create_plan('docs plan')
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}}, status=202)
        self.assertTrue(resp.json['checkpoint']['status_reason'].startswith(
            'waiting: no protection service is up'))


class DurableQueuesTest(base.ProtectionApiTestCase):

    def test_rabbit_queues_are_durable_by_default(self):
        # The driver registers its options when the transport is made
        # (it does not connect yet).
        self.conf.config(transport_url='rabbit://guest:guest@127.0.0.1:%d/'
                         % free_port())
        rpc.cleanup()
        rpc.init()
        self.assertTrue(self.conf.conf.oslo_messaging_rabbit
                        .amqp_durable_queues)
