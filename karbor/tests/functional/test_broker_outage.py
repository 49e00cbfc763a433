"""karbor-api and karbor-protection on a RabbitMQ node of the test's own,
which the test stops: a broker outage is survived.

- RabbitMQ stopped for 30 s under 50 POSTs (checkpoint creates and
  verifications, file-system bank): every answer is 202 or 503, none
  slower than ``[api] rpc_cast_timeout`` (plus a margin), reads go on,
  every accepted operation ends ``success`` once the broker is back, every
  refused one ended ``error`` at once, nothing is left transient.
- Work POSTed while no karbor-protection runs waits in a durable queue
  (across a restart of the broker, too), says that nobody is up to run
  it, and is done once one starts.
- A topic no protection service ever declared on the broker is a 503, not
  work silently dropped.

The machine's RabbitMQ is never touched: see :mod:`rabbitmq_fixture`.
"""

import logging
import os
import time
import uuid

import fixtures
from oslotest import base
import testtools.content

from karbor.common import constants
from karbor.tests.functional import broker_outage
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import rabbitmq_fixture

SERVICE_DOWN_TIME = 5
# The default of [api] rpc_cast_timeout, which the test keeps.
CAST_BOUND = 5.0
# What an answer may take beyond it (database writes of the end, HTTP).
MARGIN = 2.0
OUTAGE = 30.0
POSTS = 50
# From the broker's return until every accepted operation ended: the
# protection service reconnects with a back-off (up to ~15 s after an
# outage of 30 s), then runs the queued work.
SETTLE_TIMEOUT = 120


def configure(services, sections):
    processes.make_protect_root(services)
    sections['providers'] = {'enable_local_provider': 'true'}


class _PrivateBrokerTest(processes.ProcessTestMixin):

    backend = None

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.broker = rabbitmq_fixture.PrivateRabbitMQ()
        self.services = self.useFixture(processes.KarborServices(
            self.backend, SERVICE_DOWN_TIME, configure=configure,
            rabbit=self.broker))
        self.project = uuid.uuid4().hex
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (self.services.port,
                                                       self.project)
        self.client = broker_outage.Client(self.base_url)
        broker_outage.write_directory(
            os.path.join(self.services.root, self.project))
        self.wait_protection_up()
        self.plan_id, self.checkpoint_id = broker_outage.prepare(self.client)

    def fail_with_logs(self, message):
        self.fail('%s\n\nBroker %s:\n%s\n\nProcess logs:\n%s' % (
            message, self.broker.nodename, self.broker.output(),
            self.services.logs()))

    def protection_states(self):
        return [s['state'] for s in self.request(
            'GET', '/os-services?binary=%s&host=%s' % (
                constants.SERVICE_BINARY_PROTECTION,
                self.services.host))['services']]


class TestBrokerOutageMySQL(_PrivateBrokerTest, base.BaseTestCase):

    backend = ft_fixtures.MYSQL

    def test_outage_under_posts(self):
        outage = broker_outage.Outage(
            self.client, self.broker, self.plan_id, self.checkpoint_id,
            posts=POSTS, outage=OUTAGE)
        outage.run()
        rows, drained_in = outage.settle(SETTLE_TIMEOUT)
        figures = outage.figures(rows, drained_in)
        text = broker_outage.report(figures)
        self.addDetail('figures', testtools.content.text_content(text))

        def check(ok, what):
            if not ok:
                self.fail_with_logs('%s\n\n%s' % (what, text))

        check(figures['attempted'] == POSTS, 'not every POST was sent')
        check(not figures['answered_other'], 'answers other than 202/503')
        check(figures['max_latency_s'] <= CAST_BOUND + MARGIN,
              'an answer took longer than the bound')
        # The scenario happened: work refused during the outage, work
        # accepted before and after it.
        check(figures['answered_503'] > 0, 'no POST was refused')
        check(figures['answered_202'] > 0, 'no POST was accepted')
        # Every POST recorded its row before handing it over.
        check(figures['rows_made'] == POSTS, 'rows made != POSTs')
        check(figures['ended_success'] == figures['answered_202'],
              'accepted operations that did not end success')
        check(not figures['lost'], 'accepted operations lost')
        check(figures['refused_ended_error'] == figures['answered_503'],
              'refused operations not ended in error with the reason')
        check(figures['stuck'] == 0, 'operations left transient')
        check(figures['logs_running'] == 0, 'operation logs left running')
        check(figures['reads'] > 0 and figures['reads_failed'] == 0,
              'reads failed during the outage')
        # Reads never touch the broker: none waits like a hand-over.
        check(figures['max_read_latency_s'] < CAST_BOUND,
              'reads were slow during the outage')


class TestIdleWorkerPostgreSQL(_PrivateBrokerTest, base.BaseTestCase):

    backend = ft_fixtures.POSTGRESQL

    def test_work_waits_for_a_protection_service(self):
        topic = self.broker.topic
        self.assertEqual(0, self.services.stop_protection())
        # A clean stop shows at once.
        self.assertEqual([constants.SERVICE_STATE_DOWN],
                         self.protection_states())
        queued = []
        for n in range(4):
            if n % 2 == 0:
                doc = self.request(
                    'POST', '/providers/%s/checkpoints' %
                    broker_outage.PROVIDER_ID,
                    {'checkpoint': {'plan_id': self.plan_id}},
                    expected=202)['checkpoint']
                path = '/providers/%s/checkpoints/%s' % (
                    broker_outage.PROVIDER_ID, doc['id'])
                queued.append(('checkpoint', path, doc))
            else:
                doc = self.request('POST', '/verifications', {
                    'verification': {
                        'provider_id': broker_outage.PROVIDER_ID,
                        'checkpoint_id': self.checkpoint_id,
                        'parameters': {}}}, expected=202)['verification']
                queued.append(('verification',
                               '/verifications/%s' % doc['id'], doc))
        for _kind, _path, doc in queued:
            self.assertTrue((doc['status_reason'] or '').startswith(
                'waiting: no protection service is up'), doc)

        # Durable queue, persistent messages: they outlive the broker.
        queue = self.broker.queues().get(topic)
        self.assertEqual({'durable': True, 'messages': len(queued)}, queue,
                         self.broker.queues())
        self.broker.stop()
        self.broker.start()
        self.assertEqual({'durable': True, 'messages': len(queued)},
                         self.broker.queues().get(topic))

        started = time.monotonic()
        self.services.start_protection()
        for kind, path, _doc in queued:
            done = self.wait(
                lambda p=path, k=kind: (lambda row: row if row['status'] not
                                        in broker_outage.TRANSIENT else None)(
                    self.request('GET', p)[k]),
                '%s to end' % path, timeout=60)
            self.assertIn(done['status'], broker_outage.SUCCESS, done)
            self.assertIsNone(done['status_reason'], done)
        self.addDetail('figures', testtools.content.text_content(
            'queued while no protection service ran: %d\n'
            'ended success after it started: %d in %.1fs' % (
                len(queued), len(queued), time.monotonic() - started)))
        self.assertEqual(0, self.broker.queues()[topic]['messages'])

    def test_a_topic_nobody_declared_is_refused(self):
        self.assertEqual(0, self.services.stop_protection())
        # As if the queue had never been declared (or was lost with a
        # broker that kept no durable queue).
        self.broker.ctl('delete_queue', self.broker.topic)
        status, doc, took = self.client.timed(
            'POST', '/verifications', {'verification': {
                'provider_id': broker_outage.PROVIDER_ID,
                'checkpoint_id': self.checkpoint_id, 'parameters': {}}})
        self.assertEqual(503, status, doc)
        message = doc['serviceUnavailable']['message']
        self.assertIn('no protection service has ever listened on its '
                      'topic %s' % self.broker.topic, message)
        self.assertLess(took, CAST_BOUND + MARGIN)
        rows = self.request('GET', '/verifications')['verifications']
        self.assertEqual([(constants.VERIFICATION_STATUS_ERROR, message)],
                         [(r['status'], r['status_reason']) for r in rows])
