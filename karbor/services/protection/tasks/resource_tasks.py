"""The tasks that call a plugin's hooks for one resource, and the task
that waits for the work the hooks left running."""

from concurrent import futures
import json
import threading
import time

from oslo_log import log as logging
from taskflow import task

from karbor.common import exception
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import graph
from karbor.services.protection import jobs
from karbor.services.protection import operation_progress
from karbor.services.protection import parallel
from karbor.services.protection import provider

LOG = logging.getLogger(__name__)


def merged_parameters(parameters, resource):
    """Type-wide entry, overridden by the entry of this one resource."""
    merged = dict((parameters or {}).get(resource.type) or {})
    merged.update((parameters or {}).get(graph.resource_key(resource)) or {})
    return merged


def describe(resource):
    key = graph.resource_key(resource)
    return '%s (%s)' % (key, resource.name) if resource.name else key


class PendingWork:
    """The futures that hooks of one flow returned: work that goes on after
    the hook (see :mod:`karbor.services.protection.waiter`).

    A resource with pending work succeeds once its last hook returned and
    all its work is done, or fails with the first of its work that fails;
    its status is recorded then, whatever the flow does meanwhile.
    :class:`AwaitPendingTask` holds the flow until all work is done.
    """

    def __init__(self, recorder):
        self.recorder = recorder
        self._lock = threading.Lock()
        self._futures = []
        self._errors = []
        # resource key -> {running: n, closed: last hook returned,
        #                  ended: outcome recorded}
        self._state = {}

    def add(self, checkpoint, resource, future):
        key = graph.resource_key(resource)
        with self._lock:
            self._futures.append(future)
            state = self._state.setdefault(
                key, {'running': 0, 'closed': False, 'ended': False})
            state['running'] += 1
        future.add_done_callback(
            lambda f: self._done(checkpoint, resource, key, f))

    def close(self, resource, failed=False):
        """The hooks of ``resource`` are over (``failed``: one raised, and
        the task recorded it). True if its outcome is left to its pending
        work, False if the caller records it."""
        key = graph.resource_key(resource)
        with self._lock:
            state = self._state.get(key)
            if state is None:
                return False
            state['closed'] = True
            if failed:
                state['ended'] = True
            return state['ended'] or state['running'] > 0

    def _done(self, checkpoint, resource, key, future):
        error = future.exception()
        with self._lock:
            state = self._state[key]
            state['running'] -= 1
            if state['ended']:
                return
            if error is not None:
                self._errors.append('%s: %s' % (describe(resource), error))
            elif state['running'] or not state['closed']:
                return
            state['ended'] = True
        try:
            if error is not None:
                LOG.error('%s failed: %s', key, error)
                self.recorder.failed(checkpoint, resource, str(error))
            else:
                self.recorder.succeeded(checkpoint, resource)
        except Exception:
            LOG.exception('Could not record the end of %s', key)

    def wait(self):
        """Until every future resolved; the first failure, if any."""
        with self._lock:
            pending = list(self._futures)
        futures.wait(pending)
        with self._lock:
            return self._errors[0] if self._errors else None


class AwaitPendingTask(task.Task):
    """The flow goes on once the work its hooks left running is done; one
    thread waits for all of it."""

    def __init__(self, pending, name):
        self.pending = pending
        super().__init__(name=name)

    def execute(self):
        error = self.pending.wait()
        if error:
            raise exception.ProtectionFailed(reason=error)


class ResourceHookTask(task.Task):
    """One hook of one resource's operation, or several in order.

    ``recorder`` keeps the per-resource status: ``started`` before the first
    hook, ``succeeded`` after the last, ``failed`` when any hook raises. The
    error raised names the resource, so the operation's reason says which
    one failed and why. A hook that returns a future (work still running,
    see :mod:`karbor.services.protection.waiter`) gives it to ``pending``:
    the resource then succeeds or fails when that work ends.
    """

    def __init__(self, operation_type, hook, resource, operation, recorder,
                 first=False, last=False, extra=(), hook_kwargs=None,
                 name=None, after=(), pending=None):
        hooks = (hook,) if isinstance(hook, str) else tuple(hook)
        hook = hooks[0] if len(hooks) == 1 else 'hooks'
        self.hooks = hooks
        self.resource = resource
        # Symbols of the tasks this one runs after; each task provides its
        # name, so that the graph flow links them (see resource_flow).
        self.after = frozenset(after)
        self.hook_kwargs = hook_kwargs or {}
        self.hook = hook
        self.operation = operation
        self.recorder = recorder
        self.pending = pending
        self.first = first
        self.last = last
        name = name or '%s-%s-%s' % (operation_type, hook,
                                     graph.resource_key(resource))
        super().__init__(
            name=name, provides=name,
            requires=['context', 'checkpoint_id', 'provider_id',
                      'parameters'] + list(extra) + sorted(self.after))

    def execute(self, context, checkpoint_id, provider_id, parameters,
                **extra):
        extra = {k: v for k, v in extra.items() if k not in self.after}
        ctx = jobs.request_context(context)
        checkpoint = provider.get_checkpoint(provider_id, checkpoint_id)
        if self.first:
            self.recorder.started(checkpoint, self.resource)
        hook = None
        new_resources = self.hook_kwargs.get('new_resources')
        before = dict(new_resources) if new_resources is not None else None
        try:
            for hook in self.hooks:
                result = getattr(self.operation, hook)(
                    checkpoint, self.resource, ctx,
                    merged_parameters(parameters, self.resource),
                    **self.hook_kwargs, **extra)
                if isinstance(result, futures.Future):
                    self.pending.add(checkpoint, self.resource, result)
        except Exception as e:
            LOG.exception('%s of %s failed', hook,
                          graph.resource_key(self.resource))
            reason = '%s: %s' % (describe(self.resource), e)
            if self.pending is not None:
                self.pending.close(self.resource, failed=True)
            self.recorder.failed(checkpoint, self.resource, str(e))
            raise exception.ProtectionFailed(reason=reason)
        if self.last and not (self.pending and self.pending.close(
                self.resource)):
            self.recorder.succeeded(checkpoint, self.resource)
        if new_resources is not None:
            # What the hooks added to the map of new resources is this
            # task's result, saved with the flow: a restore resumed
            # elsewhere starts from it (jobs.new_resources_of).
            return {'new_resources': {
                key: value for key, value in dict(new_resources).items()
                if key not in before or before[key] != value}}
        return True


def noop(*args, **kwargs):
    pass


class NullRecorder:
    started = succeeded = failed = staticmethod(noop)


class DeferredDurability:
    """A bank (the :class:`bank_plugin.Bank` calls the plugins use) whose
    writes are visible at once and made durable together, when
    :meth:`sync` is called, instead of one fsync (or several) each.

    Once :meth:`close` has run, writes are durable before they return
    again, as the bank's own: work that a hook left running (a future)
    and that writes after its task ended is never left unsynced.
    """

    def __init__(self, bank):
        self._bank = bank
        self._lock = threading.Lock()
        self._keys = []
        self._closed = False

    def __getattr__(self, name):
        # Reads, listings, deletes: the bank's own.
        return getattr(self._bank, name)

    def section(self, prefix):
        return bank_plugin.BankSection(self, prefix)

    def _written(self, key):
        with self._lock:
            if not self._closed:
                self._keys.append(key)
                return
        self._bank.sync_objects([key])

    def put_object(self, key, data):
        info = self._bank.put_object_unsynced(key, data)
        self._written(key)
        return info

    put_object_unsynced = put_object

    def put_json(self, key, value):
        return self.put_object(
            key, json.dumps(value, sort_keys=True).encode('utf-8'))

    def sync_objects(self, keys):
        # Written here, so already waiting for the next sync; after
        # close, at once.
        with self._lock:
            if not self._closed:
                return
        self._bank.sync_objects(keys)

    def sync(self):
        """Every object written so far is durable when it returns."""
        with self._lock:
            keys, self._keys = self._keys, []
        if keys:
            self._bank.sync_objects(keys)

    def close(self):
        with self._lock:
            self._closed = True
        self.sync()


class ResourceBatchTask(task.Task):
    """All hooks of many resources, each depending on no other resource,
    ``workers`` resources at a time, in one task.

    A task per resource cost taskflow several writes of its state each
    and the engine a node each (a protect of 1,000 small resources took
    minutes and hundreds of MiB). The bank's writes are made durable
    together (:class:`DeferredDurability`) every ``group`` resources:
    a resource's success is recorded only after its data, manifest and
    metadata are durable, and the task ends only once everything it
    wrote is. A resumed task skips the resources the recorder says are
    done (``recorder.done``), so none is protected twice; the others run
    again from their first hook, as a resource task cut short did.

    Statuses and reasons are the recorder's, as for
    :class:`ResourceHookTask`; the first failure fails the task (and the
    flow) with the name of the resource, once the resources started by
    then have ended.
    """

    group = 256

    def __init__(self, operation_type, hooks, items, recorder, workers,
                 name, extra=(), pending=None):
        self.hooks = tuple(hooks)
        # [(resource, operation)]
        self.items = items
        self.recorder = recorder
        self.workers = max(1, workers)
        self.pending = pending
        self.operation_type = operation_type
        super().__init__(
            name=name, requires=['context', 'checkpoint_id', 'provider_id',
                                 'parameters'] + list(extra))

    def execute(self, context, checkpoint_id, provider_id, parameters,
                **extra):
        ctx = jobs.request_context(context)
        durable_checkpoint = provider.get_checkpoint(provider_id,
                                                     checkpoint_id)
        bank = DeferredDurability(durable_checkpoint.bank)
        checkpoint = checkpoint_module.Checkpoint(bank, checkpoint_id)
        done = getattr(self.recorder, 'done', None)
        todo = [(r, op) for r, op in self.items
                if done is None or not done(durable_checkpoint, r)]
        if len(todo) < len(self.items):
            LOG.info('%s: %d of %d resources were done before; not again',
                     self.name, len(self.items) - len(todo),
                     len(self.items))
        progress = operation_progress.get(self.operation_type,
                                          checkpoint_id)

        def run(item):
            what, resource, operation = item
            if what == 'succeeded':
                self.recorder.succeeded(checkpoint, resource)
                return resource, 'recorded'
            return resource, self._run_hooks(
                checkpoint, durable_checkpoint, resource, operation, ctx,
                parameters, extra)

        failure = None
        # Resources whose data is durable, their success not recorded yet:
        # recorded along with the hooks of the next group (no pause for
        # them), made durable by its sync.
        succeeded = []
        try:
            with progress.deferred():
                for start in range(0, len(todo), self.group):
                    chunk = todo[start:start + self.group]
                    t0 = time.monotonic()
                    results = self._each(run, [
                        ('succeeded', r, None) for r in succeeded] + [
                        ('run', r, op) for r, op in chunk])
                    t1 = time.monotonic()
                    # Data, manifests and metadata of these resources on
                    # disk before any of them is said available.
                    bank.sync()
                    LOG.debug('%s: %d resources in %.2f s, made durable '
                              'in %.2f s', self.name, len(chunk), t1 - t0,
                              time.monotonic() - t1)
                    succeeded = [r for r, outcome in results
                                 if outcome == 'succeeded']
                    for resource, outcome in results:
                        if outcome not in ('succeeded', 'pending',
                                           'recorded') and failure is None:
                            failure = outcome
                    if failure is not None:
                        break
                # Those of the last group (or of the groups before a
                # failure), made durable by close() below.
                self._each(lambda r: self.recorder.succeeded(checkpoint, r),
                           succeeded)
        finally:
            bank.close()
            progress.write()
        if failure is not None:
            raise exception.ProtectionFailed(reason=failure)
        return True

    def _each(self, func, items):
        """``func`` of each of ``items``, ``workers`` at a time."""
        if len(items) <= 1 or self.workers == 1:
            return [func(item) for item in items]
        return list(parallel.ordered_map(func, items, self.workers))

    def _run_hooks(self, checkpoint, durable_checkpoint, resource,
                   operation, ctx, parameters, extra):
        """'succeeded' (to be recorded), 'pending' (its work records it)
        or the reason it failed (recorded)."""
        self.recorder.started(checkpoint, resource)
        hook = None
        try:
            params = merged_parameters(parameters, resource)
            for hook in self.hooks:
                result = getattr(operation, hook)(
                    checkpoint, resource, ctx, params, **extra)
                if isinstance(result, futures.Future):
                    # Recorded when it ends, durably (the task may have
                    # ended by then).
                    self.pending.add(durable_checkpoint, resource, result)
        except Exception as e:
            LOG.exception('%s of %s failed', hook,
                          graph.resource_key(resource))
            if self.pending is not None:
                self.pending.close(resource, failed=True)
            self.recorder.failed(checkpoint, resource, str(e))
            return '%s: %s' % (describe(resource), e)
        if self.pending is not None and self.pending.close(resource):
            return 'pending'
        return 'succeeded'
