"""oslo.messaging driver of ``karbor-all``: messages within one process,
handed to the listener as they are sent.

oslo.messaging's own in-memory driver (``fake:/``) is made for tests: its
listener looks at its queues every 50 ms, so each cast waited 25 ms on
average (measured: a third of the time from a POST of a verification to
its end in ``karbor-all``). This driver is that one with a listener that
sleeps until a message is delivered (or it is stopped). Transport URL:
``karbor-in-process:/`` (entry point ``oslo.messaging.drivers``).
"""

import threading
import time

from oslo_messaging._drivers import base
from oslo_messaging._drivers import impl_fake

# One condition for every exchange of the driver: a delivery wakes the
# listeners, which look at their queues again. A delivery appends under
# the exchange's own lock, released before this one is taken (never one
# inside the other: no lock order to get wrong); a listener looks at its
# queues while it holds this one, so a delivery cannot slip in between its
# look and its wait.
_ARRIVED = threading.Condition()

# Longest sleep between two looks without a delivery: a safety net only.
_MAX_WAIT = 1.0


class _Exchange(impl_fake.FakeExchange):

    def deliver_message(self, *args, **kwargs):
        super().deliver_message(*args, **kwargs)
        with _ARRIVED:
            _ARRIVED.notify_all()


class _ExchangeManager(impl_fake.FakeExchangeManager):
    # Exchanges of this driver only (the fake driver's are class-wide).
    _exchanges_lock = threading.Lock()
    _exchanges = {}

    def get_exchange(self, name):
        if name is None:
            name = self._default_exchange
        with self._exchanges_lock:
            return self._exchanges.setdefault(name, _Exchange(name))


class _Listener(impl_fake.FakeListener):

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        with _ARRIVED:
            while not self._stopped.is_set():
                for target in self._targets:
                    exchange = self._exchange_manager.get_exchange(
                        target.exchange)
                    ctxt, message, reply_q, requeue = exchange.poll(
                        target, self._pool)
                    if message is not None:
                        return impl_fake.FakeIncomingMessage(
                            ctxt, message, reply_q, requeue)
                pause = _MAX_WAIT
                if deadline is not None:
                    pause = min(pause, deadline - time.monotonic())
                    if pause <= 0:
                        break
                _ARRIVED.wait(pause)
        return None

    def stop(self):
        super().stop()
        with _ARRIVED:
            _ARRIVED.notify_all()


class InProcessDriver(impl_fake.FakeDriver):
    """The fake driver, with listeners woken by each delivery."""

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange,
                         allowed_remote_exmods)
        self._exchange_manager = _ExchangeManager(default_exchange)

    # The fake driver chooses the targets; its listener is replaced by one
    # that is woken (same targets, same pool, same queues).

    def listen(self, target, batch_size, batch_timeout):
        return self._woken(super().listen(target, batch_size, batch_timeout),
                           batch_size, batch_timeout)

    def listen_for_notifications(self, targets_and_priorities, pool,
                                 batch_size, batch_timeout):
        return self._woken(super().listen_for_notifications(
            targets_and_priorities, pool, batch_size, batch_timeout),
            batch_size, batch_timeout)

    def _woken(self, adapter, batch_size, batch_timeout):
        polled = adapter._poll_style_listener
        return base.PollStyleListenerAdapter(
            _Listener(self._exchange_manager, polled._targets, polled._pool),
            batch_size, batch_timeout)
