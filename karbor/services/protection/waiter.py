"""Waiting for work that another service does (a Cinder backup, a volume
restored from one, a backup being deleted) without a thread per wait.

A hook that started such work hands a *job* to :meth:`Waiter.watch` and
returns the future it gets; the hook's worker thread is free at once. One
thread per process looks at every job in turn, each ``interval`` seconds,
until the job says it is done, fails, or its ``timeout`` passes, and then
resolves the job's future. The flow waits for the futures of all its
resources in one task (see :mod:`karbor.services.protection.tasks.
resource_tasks`).

A job is any object with:

* ``poll()``: look once; return :data:`NOT_YET`, or the result; raise to
  fail the job;
* ``describe()``: where it stands, for the timeout message ("backup b1 of
  volume v1 still creating");
* optionally ``close()``: called once when the job ends in any way (drop a
  temporary snapshot, ...).
"""

import heapq
import itertools
import threading
import time
from concurrent import futures

from oslo_log import log as logging

from karbor.common import exception
from karbor.i18n import _

LOG = logging.getLogger(__name__)

NOT_YET = object()


class Timeout(exception.ProtectionFailed):
    pass


class Interrupted(exception.ProtectionFailed):
    msg_fmt = _('interrupted: %(reason)s')


class Entry:
    __slots__ = ('job', 'future', 'interval', 'timeout', 'deadline')

    def __init__(self, job, interval, timeout, now):
        self.job = job
        self.future = futures.Future()
        self.future.set_running_or_notify_cancel()
        self.interval = interval
        self.timeout = timeout
        self.deadline = now + timeout


def look(entry, now):
    """Poll ``entry``'s job once at ``now``; the time of the next look, or
    None once the job's future is resolved."""
    try:
        value = entry.job.poll()
    except Exception as e:
        _finish(entry, error=e)
        return None
    if value is not NOT_YET:
        _finish(entry, value=value)
        return None
    if now >= entry.deadline:
        _finish(entry, error=Timeout(reason=_('%(what)s after %(s)s s') % {
            'what': entry.job.describe(), 's': entry.timeout}))
        return None
    return min(now + entry.interval, entry.deadline)


def _finish(entry, value=None, error=None):
    close = getattr(entry.job, 'close', None)
    if close is not None:
        try:
            close()
        except Exception:
            LOG.warning('Clean-up after %s failed', entry.job.describe(),
                        exc_info=True)
    if error is not None:
        entry.future.set_exception(error)
    else:
        entry.future.set_result(value)


class Waiter:
    """One thread that looks at every watched job when it is due."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._cond = threading.Condition()
        self._due = []  # heap of (time of the next look, number, entry)
        self._numbers = itertools.count()
        self._stopped = False
        self._thread = None

    def watch(self, job, interval, timeout):
        """Look at ``job`` now and every ``interval`` seconds; its future."""
        entry = Entry(job, interval, timeout, self._clock())
        with self._cond:
            if self._stopped:
                raise Interrupted(reason=_('the protection service is '
                                           'stopping'))
            heapq.heappush(self._due, (self._clock(), next(self._numbers),
                                       entry))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name='karbor-waiter', daemon=True)
                self._thread.start()
            self._cond.notify()
        return entry.future

    def pending(self):
        with self._cond:
            return len(self._due)

    def stop(self, reason):
        """Fail every job still watched with ``interrupted: reason``."""
        with self._cond:
            self._stopped = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()
        for _due, _number, entry in self._due:
            _finish(entry, error=Interrupted(reason=reason))
        self._due = []

    def _run(self):
        while True:
            with self._cond:
                while not self._stopped:
                    wait = (self._due[0][0] - self._clock() if self._due
                            else None)
                    if wait is not None and wait <= 0:
                        break
                    self._cond.wait(wait)
                if self._stopped:
                    return
                _due, _number, entry = heapq.heappop(self._due)
            following = look(entry, self._clock())
            if following is not None:
                with self._cond:
                    heapq.heappush(self._due, (following,
                                               next(self._numbers), entry))


_lock = threading.Lock()
_waiter = None


def get():
    """The waiter of this process (a new one after :func:`stop`)."""
    global _waiter
    with _lock:
        if _waiter is None:
            _waiter = Waiter()
        return _waiter


def stop(reason):
    """Fail the jobs of the process's waiter; the next :func:`get` starts
    afresh."""
    global _waiter
    with _lock:
        waiter, _waiter = _waiter, None
    if waiter is not None:
        waiter.stop(reason)
