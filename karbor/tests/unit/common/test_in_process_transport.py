"""karbor-all's in-process transport: a cast reaches the server when it is
sent, not at the listener's next look. Real oslo.messaging RPC server and
client over the driver; no mocks."""

import threading
import time

import oslo_messaging as messaging

from karbor.common import context
from karbor.common import in_process_transport
from karbor.common import rpc
from karbor.tests import base


class Endpoint:

    def __init__(self):
        self.received = []
        self.arrived = threading.Event()

    def hello(self, context, name):
        self.received.append(name)
        self.arrived.set()
        return 'hello %s' % name


class InProcessTransportTest(base.TestCase):

    def setUp(self):
        super().setUp()
        # The listener's safety-net wait is an hour long: only a delivery
        # (or a stop) can wake it in time (the fake driver looked at its
        # queues every 50 ms).
        self.patch(in_process_transport, '_MAX_WAIT', 3600)
        self.endpoint = Endpoint()
        self.server = rpc.get_server(
            messaging.Target(topic='in-process-test', server='here'),
            [self.endpoint])
        self.server.start()
        self.addCleanup(self.server.wait)
        self.addCleanup(self.server.stop)
        self.client = rpc.get_client(
            messaging.Target(topic='in-process-test'))

    def test_the_transport_is_the_woken_driver(self):
        self.assertIsInstance(rpc.init()._driver,
                              in_process_transport.InProcessDriver)

    def test_a_cast_wakes_the_listener(self):
        # Let the listener go to sleep on an empty queue first.
        time.sleep(0.2)
        started = time.monotonic()
        self.client.prepare().cast(self.context(), 'hello', name='cast')
        self.assertTrue(self.endpoint.arrived.wait(30))
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual(['cast'], self.endpoint.received)

    def test_a_call_gets_its_reply(self):
        reply = self.client.prepare(timeout=30).call(self.context(), 'hello',
                                                     name='call')
        self.assertEqual('hello call', reply)

    def test_stop_wakes_a_sleeping_listener(self):
        time.sleep(0.2)
        started = time.monotonic()
        self.server.stop()
        self.server.wait()
        # Not the hour of the safety net.
        self.assertLess(time.monotonic() - started, 30)

    def context(self):
        return context.RequestContext(project_id='p', user_id='u')
