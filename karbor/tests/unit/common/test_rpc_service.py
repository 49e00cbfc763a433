"""The protection service over the in-process transport of karbor-all."""

import oslo_messaging as messaging

from karbor.common import constants
from karbor.common import context
from karbor.common import service
from karbor.db import services as services_db
from karbor.services.protection import manager
from karbor.services.protection import rpcapi
from karbor.tests import base
from karbor.tests.unit.common import test_context
from karbor.tests.unit import helpers
from karbor import version

TOPIC = 'karbor-protection-test'


class RecordingManager(manager.ProtectionManager):
    """The real manager, remembering the contexts it was called with."""

    def __init__(self):
        super().__init__()
        self.contexts = []
        self.cleaned_up = False

    def ping(self, context, payload=None):
        self.contexts.append(context)
        return super().ping(context, payload)

    def cleanup_host(self):
        self.cleaned_up = True
        # While its work ends, the service is not yet shown down (another
        # protection service would fail that work).
        self.heartbeat_at_cleanup = services_db.service_get_all()[
            0].last_heartbeat
        super().cleanup_host()


class RPCServiceTest(base.TestCase):

    def setUp(self):
        super().setUp()
        # The manager finds its providers through the parsed configuration.
        self.useFixture(helpers.ParsedConf())
        self.manager = RecordingManager()
        self.service = service.RPCService(
            self.manager, constants.SERVICE_BINARY_PROTECTION, TOPIC)
        self.service.start()
        self.stopped = False
        self.addCleanup(self.stop)

    def stop(self):
        if not self.stopped:
            self.stopped = True
            self.service.stop()

    def test_ping_round_trip(self):
        api = rpcapi.ProtectionAPI(topic=TOPIC, timeout=10)
        ctx = test_context.sample()
        reply = api.ping(ctx, {'n': 1, 'words': ['a', 'b']})
        self.assertEqual({'host': 'test-host',
                          'version': version.version_string(),
                          'payload': {'n': 1, 'words': ['a', 'b']}}, reply)
        # The context crossed the transport as a dict and came back whole.
        self.assertEqual(1, len(self.manager.contexts))
        received = self.manager.contexts[0]
        self.assertIsInstance(received, context.RequestContext)
        self.assertIsNot(ctx, received)
        for attr in ('user_id', 'project_id', 'roles', 'auth_token',
                     'is_admin', 'request_id', 'service_catalog'):
            self.assertEqual(getattr(ctx, attr), getattr(received, attr),
                             attr)

    def test_ping_without_payload(self):
        api = rpcapi.ProtectionAPI(topic=TOPIC, timeout=10)
        reply = api.ping(context.get_admin_context())
        self.assertIsNone(reply['payload'])

    def test_topic_defaults_to_configuration(self):
        self.conf.config(topic=TOPIC, group='protection')
        reply = rpcapi.ProtectionAPI(timeout=10).ping(
            context.get_admin_context(), 'x')
        self.assertEqual('x', reply['payload'])

    def test_start_reports_a_heartbeat(self):
        rows = services_db.service_get_all()
        self.assertEqual(
            [('test-host', 'karbor-protection', TOPIC, False)],
            [(r.host, r.binary, r.topic, r.disabled) for r in rows])
        self.assertGreaterEqual(rows[0].report_count, 1)
        self.assertIsNotNone(rows[0].last_heartbeat)

    def test_stop(self):
        self.stop()
        self.assertTrue(self.manager.cleaned_up)
        self.assertFalse(self.service.heartbeat._thread.is_alive())
        # Down at once once stopped, not after service_down_time.
        self.assertIsNotNone(self.manager.heartbeat_at_cleanup)
        self.assertIsNone(services_db.service_get_all()[0].last_heartbeat)
        api = rpcapi.ProtectionAPI(topic=TOPIC, timeout=1)
        self.assertRaises(messaging.MessagingTimeout, api.ping,
                          context.get_admin_context())
        self.assertEqual([], self.manager.contexts)


class HeartbeatTest(base.TestCase):

    def test_beats_periodically_until_stopped(self):
        beat = service.Heartbeat('node1', 'karbor-protection', 't',
                                 interval=0.05)
        beat.start()
        self.addCleanup(beat.stop)
        # The first report is synchronous.
        self.assertEqual(1, services_db.service_get_all()[0].report_count)
        for _ in range(100):
            count = services_db.service_get_all()[0].report_count
            if count >= 3:
                break
            beat._stop.wait(0.05)
        self.assertGreaterEqual(count, 3)
        beat.stop()
        self.assertFalse(beat._thread.is_alive())
        after = services_db.service_get_all()[0].report_count
        beat._stop.wait(0.2)
        self.assertEqual(after, services_db.service_get_all()[0].report_count)

    def test_database_error_does_not_kill_the_heartbeat(self):
        beat = service.Heartbeat('node1', 'karbor-protection', 't',
                                 interval=60)
        self.useFixture(base.fixtures.MockPatchObject(
            services_db, 'service_report',
            side_effect=RuntimeError('database is gone')))
        beat.report()  # logs, does not raise

    def test_interval_defaults_to_report_interval(self):
        self.conf.config(report_interval=7)
        self.assertEqual(7, service.Heartbeat('h', 'b').interval)
