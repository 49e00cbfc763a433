"""An oslo.messaging notification listener that keeps what it receives,
for the tests of Karbor's notifications (unit: the in-process transport;
functional and end to end: the real RabbitMQ)."""

import collections
import datetime
import threading
import time

import fixtures
import oslo_messaging as messaging

Notification = collections.namedtuple(
    'Notification',
    'priority publisher_id event_type payload context received_at')


class _Endpoint:
    def __init__(self, keep):
        self._keep = keep

    def _receive(self, priority):
        def receive(ctxt, publisher_id, event_type, payload, metadata):
            self._keep(Notification(
                priority, publisher_id, event_type, payload, ctxt,
                datetime.datetime.now(datetime.timezone.utc).replace(
                    tzinfo=None)))
        return receive

    def __getattr__(self, name):
        if name in ('audit', 'debug', 'info', 'warn', 'error', 'critical',
                    'sample'):
            return self._receive(name)
        raise AttributeError(name)


class Listener(fixtures.Fixture):
    """Listens on ``transport`` to ``topic`` (in ``exchange``, else the
    transport's default) from set-up to clean-up; its queues exist once
    set-up returns, so nothing sent afterwards is missed."""

    def __init__(self, transport, topic, exchange=None):
        super().__init__()
        self.transport = transport
        self.topic = topic
        self.exchange = exchange

    def _setUp(self):
        self.received = []
        self._cond = threading.Condition()
        listener = messaging.get_notification_listener(
            self.transport,
            [messaging.Target(topic=self.topic, exchange=self.exchange)],
            [_Endpoint(self._keep)], executor='threading')
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)

    def _keep(self, notification):
        with self._cond:
            self.received.append(notification)
            self._cond.notify_all()

    def about(self, object_id, key='id'):
        """What was received about ``object_id`` (its payload's ``key``),
        in the order received."""
        with self._cond:
            return [n for n in self.received
                    if data(n).get(key) == object_id]

    def wait_for(self, event_type, object_id=None, key='id', timeout=60):
        """The first notification ``event_type`` (about ``object_id``)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for n in self.received:
                    if n.event_type == event_type and (
                            object_id is None or
                            data(n).get(key) == object_id):
                        return n
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        'no %s notification%s within %ss; received: %s' % (
                            event_type,
                            ' about %s' % object_id if object_id else '',
                            timeout, [(r.event_type, data(r).get('id'))
                                      for r in self.received]))
                self._cond.wait(left)

    def wait_count(self, event_type, count, timeout=60):
        """The notifications ``event_type`` once ``count`` arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [n for n in self.received
                         if n.event_type == event_type]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        '%d %s notification(s) of %d within %ss' % (
                            len(found), event_type, count, timeout))
                self._cond.wait(left)


def data(notification):
    """The fields of a notification's versioned payload."""
    return notification.payload.get('karbor_object.data') or {}


def latency(notification, field):
    """Seconds from the payload's ``field`` (a UTC time the status change
    committed at, or just before) to the notification's arrival."""
    moment = datetime.datetime.fromisoformat(data(notification)[field])
    return (notification.received_at - moment).total_seconds()
