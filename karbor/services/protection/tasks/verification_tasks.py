"""Tasks of the verification flow.

``InitiateVerificationTask`` marks the verification running and checks
that the checkpoint itself is readable; its revert ends the verification
and its operation log in ``error`` with the reason.
``VerifyResourcesTask`` gives every resource a verdict (a
:class:`ResourceCheck` each, several at a time) and never fails the flow.
``CompleteVerificationTask`` ends it: ``success`` when every resource is
intact, ``error`` naming those that are not.
"""

from concurrent import futures
import threading

from oslo_log import log as logging
from oslo_utils import timeutils
from taskflow import task

from karbor.common import constants
from karbor.common import exception
from karbor.db import checkpoints as checkpoints_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import graph
from karbor.services.protection import jobs
from karbor.services.protection import parallel
from karbor.services.protection import provider as provider_module
from karbor.services.protection import sampling
from karbor.services.protection.tasks import common
from karbor.services.protection.tasks import resource_tasks
from karbor.services.protection import verification

LOG = logging.getLogger(__name__)

VERIFYING = constants.VERIFICATION_STATUS_VERIFYING
SUCCESS = constants.VERIFICATION_STATUS_SUCCESS
ERROR = constants.VERIFICATION_STATUS_ERROR


class InitiateVerificationTask(task.Task):

    def __init__(self, resources, progress):
        super().__init__()
        self.resources = resources
        self.progress = progress

    def execute(self, verification_id, provider_id, checkpoint_id):
        checkpoint = provider_module.get_checkpoint(provider_id,
                                                    checkpoint_id)
        try:
            checkpoint.read_index()
        except exception.BankObjectNotFound:
            raise exception.ProtectionFailed(
                reason='the checkpoint index %s is missing from the bank' %
                       checkpoint.index_key)
        except exception.BankError as e:
            raise exception.ProtectionFailed(
                reason='the checkpoint index %s cannot be read: %s' % (
                    checkpoint.index_key, e))
        if self.progress.values.get('resources_total'):
            # Started before (its service stopped or died): the verdicts
            # written are kept, the resources without one are checked
            # again, the counters go on from what was written.
            values = {'progress': self.progress.snapshot()}
        else:
            self.progress.count(resources_total=len(self.resources))
            values = {
                'started_at': timeutils.utcnow(),
                'resources_status': {graph.resource_key(r): VERIFYING
                                     for r in self.resources},
                'resources_reason': {},
                'progress': self.progress.snapshot(),
            }
        # A compare-and-set: a verification that ended meanwhile (a
        # recovery, an administrator's reset) is never brought back.
        row = verifications_db.verification_update(
            verification_id, values, expected={'status': [VERIFYING]})
        if row is not None:
            self.progress.written(values['progress'])
        if row is None:
            status = verifications_db.verification_get(verification_id).status
            LOG.warning('Verification %s had already ended %s; it is not '
                        'started again', verification_id, status)
            raise exception.OperationEnded(
                what='verification %s' % verification_id, status=status)

    def revert(self, verification_id, operation_log_id, flow_failures=None,
               **kwargs):
        reason = common.failure_reason(flow_failures)
        LOG.error('Verification %s failed: %s', verification_id, reason)
        # With its log, in one transaction; an ended verification keeps
        # the end it had.
        if not verifications_db.verification_end(
                verification_id, ERROR, operation_log_id, reason):
            LOG.warning('Verification %s had already ended; left as it is',
                        verification_id)


class PendingVerdicts:
    """The futures that verify hooks returned (work still running, e.g. a
    backend check handed to :mod:`karbor.services.protection.waiter`), as
    protect hooks' are: a resource with pending work gets its verdict when
    all of it is done, and a failed future is that resource's error with
    its reason. :class:`AwaitVerdictsTask` holds the flow until every
    such verdict is recorded."""

    def __init__(self, progress):
        self.progress = progress
        self._cond = threading.Condition()
        self._waiting = 0

    def add(self, key, pending, problems):
        """Give resource ``key`` its verdict once every future of
        ``pending`` is done, with ``problems`` found so far."""
        with self._cond:
            self._waiting += 1
        left = [len(pending)]
        lock = threading.Lock()

        def done(future):
            with lock:
                left[0] -= 1
                last = left[0] == 0
            if not last:
                return
            try:
                for f in pending:
                    if f.cancelled():
                        problems.add('the check was cancelled')
                    elif f.exception() is not None:
                        error = f.exception()
                        problems.add(str(error) or
                                     error.__class__.__name__)
                record_verdict(self.progress, key, problems)
            except Exception:
                LOG.exception('Could not record the verdict of %s', key)
            finally:
                with self._cond:
                    self._waiting -= 1
                    self._cond.notify_all()
        for future in pending:
            future.add_done_callback(done)

    def wait(self):
        """Until every resource with pending work has its verdict (its
        done callback ran, not only its futures resolved)."""
        with self._cond:
            self._cond.wait_for(lambda: self._waiting == 0)


def record_verdict(progress, key, problems):
    if problems:
        LOG.warning('Verification: %s is damaged: %s', key,
                    problems.summary())
        progress.verdict(key, ERROR, problems.summary(),
                         resources_checked=1)
    else:
        progress.verdict(key, SUCCESS, '', resources_checked=1)


class AwaitVerdictsTask(task.Task):
    """The verification ends once the work its hooks left running is
    done; one thread waits for all of it."""

    def __init__(self, pending):
        super().__init__()
        self.pending = pending

    def execute(self):
        self.pending.wait()
        # As VerifyResourcesTask: done only with its verdicts written.
        self.pending.progress.write_now()


class VerifyResourcesTask(task.Task):
    """Every resource's check, ``workers`` at a time, in one task: a task
    per resource cost the engine and its persistence a few database
    writes each, and its start-up grew faster than the number of
    resources. Verdicts are written to the verification row in batches
    (:class:`karbor.services.protection.verification.Progress`); a
    resumed verification checks again only the resources without one."""

    def __init__(self, resources, plugins, progress, threads, pending,
                 workers):
        super().__init__(name='verify-resources')
        self.resources = resources
        self.plugins = plugins
        self.progress = progress
        self.threads = threads
        self.pending = pending
        self.workers = workers

    def execute(self, context, verification_id, provider_id, checkpoint_id,
                parameters):
        statuses = verifications_db.verification_get(
            verification_id).resources_status or {}
        checks = [ResourceCheck(r, self.plugins.get(r.type), self.progress,
                                self.threads, self.pending)
                  for r in self.resources
                  if statuses.get(graph.resource_key(r), VERIFYING) ==
                  VERIFYING]

        def run(check):
            check.execute(context, verification_id, provider_id,
                          checkpoint_id, parameters)

        if len(checks) <= 1 or self.workers <= 1:
            for check in checks:
                run(check)
        else:
            for _done in parallel.ordered_map(run, checks, self.workers):
                pass
        # Saved as done only with every verdict it gave written: a worker
        # that dies after it does not lose them.
        self.progress.write_now()


class ResourceCheck:
    """The framework's bank checks, then the plugin's own, for one
    resource; the verdict goes to the verification row. A plugin hook
    that returns a future leaves the verdict to ``pending``."""

    def __init__(self, resource, plugin, progress, threads, pending=None):
        self.resource = resource
        self.plugin = plugin
        self.progress = progress
        self.threads = threads
        self.pending = pending

    def execute(self, context, verification_id, provider_id, checkpoint_id,
                parameters):
        key = graph.resource_key(self.resource)
        params = resource_tasks.merged_parameters(parameters, self.resource)
        level = params.get('level') or getattr(
            self.plugin, 'DEFAULT_VERIFY_LEVEL', constants.VERIFY_LEVEL_QUICK)
        self.progress.note('levels', key, level)
        # The framework's checks and the plugin's read the same manifest
        # and metadata: once.
        checkpoint = verification.ReadOnce(provider_module.get_checkpoint(
            provider_id, checkpoint_id))
        running = []
        try:
            problems = verification.check_resource(
                checkpoint, self.resource, level, self.progress,
                self.threads, sample=self._sampler(
                    params, checkpoint_id, key, verification_id),
                holders=getattr(self.plugin, 'object_holders', None))
            if problems.coverage:
                self.progress.note('coverage', key, problems.coverage)
            operation = self.plugin.get_verify_operation(self.resource) \
                if self.plugin is not None else None
            if operation is not None:
                ctx = jobs.request_context(context)
                for hook in ('on_prepare_begin', 'on_prepare_finish',
                             'on_main', 'on_complete'):
                    try:
                        result = getattr(operation, hook)(
                            checkpoint, self.resource, ctx, params,
                            level=level)
                    except Exception as e:
                        problems.add(str(e) or e.__class__.__name__)
                        break
                    if isinstance(result, futures.Future):
                        running.append(result)
        except Exception as e:
            LOG.exception('Verifying %s failed unexpectedly', key)
            problems = verification.Problems()
            problems.add('the check could not run: %s' % (
                str(e) or e.__class__.__name__))
        if running and self.pending is not None:
            self.pending.add(key, running, problems)
            return
        if running:
            futures.wait(running)
            for f in running:
                if f.cancelled() or f.exception() is not None:
                    problems.add(str(f.exception()) if not f.cancelled()
                                 else 'the check was cancelled')
        record_verdict(self.progress, key, problems)

    @staticmethod
    def _sampler(params, checkpoint_id, key, verification_id):
        if params.get('level') != constants.VERIFY_LEVEL_SAMPLE:
            return None
        percent = int(params.get('percent') or sampling.DEFAULT_PERCENT)
        windows = sampling.earlier_windows(checkpoint_id, key,
                                           verification_id)
        return lambda objects: sampling.plan(checkpoint_id, objects,
                                             percent, windows)


class CompleteVerificationTask(task.Task):

    def __init__(self, progress):
        super().__init__()
        self.progress = progress

    def execute(self, verification_id, checkpoint_id, operation_log_id):
        # The verdicts not written yet, with the counters.
        self.progress.write_now()
        row = verifications_db.verification_get(verification_id)
        if row.status != VERIFYING:
            # Ended already, by the recovery of a service thought dead: a
            # final verdict is not changed afterwards.
            LOG.warning('Verification %s had already ended %s; its result '
                        'is not recorded', verification_id, row.status)
            return
        failed = sorted(k for k, v in (row.resources_status or {}).items()
                        if v != SUCCESS)
        reason = None
        if failed:
            reason = '%d of %d resource(s) failed verification: %s' % (
                len(failed), len(row.resources_status), ', '.join(failed))
        checkpoint = checkpoints_db.checkpoint_get(checkpoint_id)
        if checkpoint.status != constants.CHECKPOINT_STATUS_AVAILABLE:
            reason = ('the checkpoint became %s while it was being '
                      'verified%s' % (checkpoint.status,
                                      '; ' + reason if reason else ''))
        if not verifications_db.verification_end(
                verification_id, ERROR if reason else SUCCESS,
                operation_log_id, reason,
                progress=self.progress.snapshot()):
            LOG.warning('Verification %s had already ended; its result is '
                        'not recorded', verification_id)
            return
        LOG.info('Verification %s ended %s%s', verification_id,
                 ERROR if reason else SUCCESS,
                 ': %s' % reason if reason else '')
