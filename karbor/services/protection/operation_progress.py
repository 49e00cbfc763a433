"""How far a protect or a restore got, summed over its resources.

A plugin reports files and bytes (planned, then done), what it did not
copy, and, for a restore, where each resource went. The sum is written to
the checkpoint's or restore's ``progress`` at most every ``INTERVAL``
seconds and at the end of each resource, so that ``checkpoint-show`` and
``restore-show`` follow a running operation. What was not copied also
goes into the ``extra_info`` of the operation's log.
"""

import contextlib
import threading
import time

from oslo_log import log as logging

from karbor.common import constants
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import restores as restores_db

LOG = logging.getLogger(__name__)

INTERVAL = 1.0
# How many of the paths not copied the record shows.
FIRST_SHOWN = 10

# Operations whose progress is kept in memory, most recent last: far
# more than run at the same time.
KEPT = 256
_RUNNING = {}
_LOCK = threading.Lock()


class OperationProgress:

    def __init__(self, kind, object_id):
        self.kind = kind
        self.object_id = object_id
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._last = 0.0
        self.values = {'files_total': 0, 'files_done': 0,
                       'bytes_total': 0, 'bytes_done': 0}
        self.not_copied = []
        self.not_copied_count = 0
        self.targets = {}
        self._deferred = 0

    @contextlib.contextmanager
    def deferred(self):
        """Inside, the end of a resource writes no more often than every
        ``INTERVAL`` (many small resources in one task wrote the row once
        each); whoever enters writes when it is done."""
        with self._lock:
            self._deferred += 1
        try:
            yield self
        finally:
            with self._lock:
                self._deferred -= 1

    def plan(self, files=0, bytes=0):
        self._add(files_total=files, bytes_total=bytes)

    def done(self, files=0, bytes=0):
        self._add(files_done=files, bytes_done=bytes)

    def _add(self, **counts):
        with self._lock:
            for name, value in counts.items():
                self.values[name] += value
        self.write(force=False)

    def skipped(self, resource_name, entries):
        """Paths of resource ``resource_name`` not copied: dicts with
        ``path`` and ``reason`` (and ``kind``)."""
        with self._lock:
            self.not_copied_count += len(entries)
            for entry in entries:
                if len(self.not_copied) >= FIRST_SHOWN:
                    break
                self.not_copied.append('%s/%s (%s)' % (
                    resource_name, entry['path'], entry['reason']))

    def target(self, resource_key, name):
        with self._lock:
            self.targets[resource_key] = name

    def snapshot(self):
        with self._lock:
            body = dict(self.values)
            if self.not_copied_count:
                body['not_copied'] = {'count': self.not_copied_count,
                                      'first': list(self.not_copied)}
            if self.targets:
                body['targets'] = dict(self.targets)
            return body

    def write(self, force=True):
        if force and self._deferred:
            force = False
        if not self._write_lock.acquire(blocking=force):
            return
        try:
            now = time.monotonic()
            if not force and now - self._last < INTERVAL:
                return
            self._last = now
            body = self.snapshot()
            if self.kind == constants.OPERATION_PROTECT:
                checkpoints_db.checkpoint_update(
                    self.object_id, {'progress': body},
                    expected={'status': [
                        constants.CHECKPOINT_STATUS_PROTECTING]})
            else:
                restores_db.restore_update(
                    self.object_id, {'progress': body},
                    expected={'status': [
                        constants.RESTORE_STATUS_IN_PROGRESS]})
            if 'not_copied' in body:
                self._note_in_log(body['not_copied'])
        except Exception:
            # Progress is for people watching; the operation goes on.
            LOG.exception('Could not record the progress of %s %s',
                          self.kind, self.object_id)
        finally:
            self._write_lock.release()

    def _note_in_log(self, not_copied):
        key = ('checkpoint_id' if self.kind == constants.OPERATION_PROTECT
               else 'restore_id')
        for log in operation_logs_db.operation_log_get_all(
                filters={key: self.object_id,
                         'operation_type': self.kind}):
            extra = dict(log.extra_info or {})
            extra['not_copied'] = not_copied
            operation_logs_db.operation_log_update(log.id,
                                                   {'extra_info': extra})


def get(kind, object_id):
    """The progress of operation ``kind`` of ``object_id``, shared by its
    resources (made at its first use; the oldest are forgotten)."""
    with _LOCK:
        progress = _RUNNING.pop((kind, object_id), None)
        if progress is None:
            progress = OperationProgress(kind, object_id)
        _RUNNING[(kind, object_id)] = progress
        while len(_RUNNING) > KEPT:
            _RUNNING.pop(next(iter(_RUNNING)))
        return progress
