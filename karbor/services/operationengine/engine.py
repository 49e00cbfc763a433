"""The operation engine: runs each due time of each scheduled operation
exactly once, whatever the number of engines.

Stateless apart from the database. Each pass (:meth:`Engine.tick`):

1. For every enabled scheduled operation, the due times of its trigger
   after the latest one already claimed (or after the operation or its
   trigger last changed, so that a new pattern counts from its change and
   a paused operation does not catch up) up to now. The latest, if still
   within the trigger's window, is to run; the others are missed. The
   engine inserts them all as runs in one transaction: the unique key
   (scheduled_operation_id, due_at) lets one engine only succeed, and the
   others leave them (:func:`karbor.db.scheduled_operations.run_claim`).
2. The claimed run starts its work through the API's own path
   (:mod:`karbor.services.operationengine.actions`).
3. Runs that are running are followed: when the checkpoint or the
   verifications they started end, the run ends ``success`` or ``error``
   (a compare-and-set, so one engine only ends it and applies the
   retention of a ``retention_protect``).

A plain thread waits on an Event between passes rather than
futurist.periodics at a fixed spacing: it sleeps until the next due time
(at most ``[operationengine] max_sleep``), which keeps the drift of runs
from their due time to the time a pass takes.
"""

import threading

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from karbor.common import constants
from karbor.common import exception
from karbor.common import notify
from karbor.common import service
from karbor.db import checkpoints as checkpoints_db
from karbor.db import scheduled_operations as operations_db
from karbor.db import services as services_db
from karbor.db import verifications as verifications_db
from karbor.services.operationengine import actions
from karbor.services.operationengine import definitions
from karbor.services.operationengine import schedule

LOG = logging.getLogger(__name__)

BINARY = 'karbor-operationengine'


def _iso(moment):
    return schedule.format_time(moment)


def _operation_or_none(operation_id):
    try:
        return operations_db.scheduled_operation_get(operation_id)
    except exception.ScheduledOperationNotFound:
        return None


class Engine:
    """One operation engine; ``clock`` gives the UTC now (tests)."""

    def __init__(self, host=None, conf=cfg.CONF, clock=timeutils.utcnow,
                 heartbeat=True):
        self.conf = conf
        self.host = host or conf.host
        self.clock = clock
        self._stop = threading.Event()
        self._thread = None
        self._disabled = False
        self.heartbeat = (service.Heartbeat(self.host, BINARY)
                          if heartbeat else None)

    # Life cycle

    def start(self):
        if self.heartbeat is not None:
            self.heartbeat.start()
        self._thread = threading.Thread(target=self._run,
                                        name='operation-engine', daemon=True)
        self._thread.start()
        LOG.info('%s on %s started', BINARY, self.host)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.heartbeat is not None:
            self.heartbeat.stop()

    def _run(self):
        while not self._stop.is_set():
            try:
                wait = self.tick()
            except Exception:
                LOG.exception('A pass of the operation engine failed; the '
                              'next one tries again')
                wait = self.conf.operationengine.max_sleep
            self._stop.wait(wait)

    # One pass

    def disabled(self):
        """Whether an administrator disabled this engine's service
        (``os-services``, binary ``karbor-operationengine``, this host):
        it then claims no due time until enabled again (another engine
        runs them, or, past their window, they are recorded missed), and
        still follows the runs it started."""
        disabled = any(r.disabled for r in services_db.service_get_all(
            host=self.host, binary=BINARY))
        if disabled != self._disabled:
            if disabled:
                LOG.warning('%s on %s is disabled: it runs no scheduled '
                            'operation until it is enabled again', BINARY,
                            self.host)
            else:
                LOG.info('%s on %s is enabled again', BINARY, self.host)
            self._disabled = disabled
        return disabled

    def tick(self):
        """Claim and start what is due, follow what runs; the seconds to
        sleep before the next pass."""
        now = self.clock()
        next_due = None
        enabled = ([] if self.disabled()
                   else operations_db.enabled_with_triggers())
        for operation, trigger in enabled:
            try:
                due = self.schedule_one(operation, trigger, now)
            except Exception:
                LOG.exception('Scheduled operation %s could not be '
                              'scheduled', operation.id)
                continue
            if due is not None and (next_due is None or due < next_due):
                next_due = due
        longest = self.conf.operationengine.max_sleep
        if self.follow_runs():
            longest = min(longest, self.conf.operationengine.follow_interval)
        if next_due is None:
            return longest
        wait = (next_due - self.clock()).total_seconds()
        return min(longest, max(wait, 0.0))

    def schedule_one(self, operation, trigger, now):
        """Claim and start the due time of ``operation`` if there is one,
        record those missed; the next due time after now."""
        try:
            sched = schedule.Schedule(trigger.properties)
        except exception.InvalidInput as e:
            LOG.warning('Trigger %s of scheduled operation %s cannot be '
                        'read: %s', trigger.id, operation.id, e)
            return None
        since = [operation.created_at, operation.updated_at,
                 trigger.updated_at, operations_db.last_due(operation.id)]
        baseline = max(m for m in since if m is not None)
        dues = sched.due_between(baseline, now)
        if dues:
            self._claim(operation, sched, dues, now)
        return sched.next_after(now)

    def _claim(self, operation, sched, dues, now):
        latest = dues[-1]
        if (now - latest).total_seconds() <= sched.window:
            due, missed = latest, dues[:-1]
        else:
            due, missed = None, dues
        reason = None
        if missed:
            reason = ('%d due time%s from %s to %s missed: no operation '
                      'engine ran within %d seconds after %s' % (
                          len(missed), '' if len(missed) == 1 else 's',
                          _iso(missed[0]), _iso(missed[-1]), sched.window,
                          'it' if len(missed) == 1 else 'each'))
        run = operations_db.run_claim(operation, due, missed, self.host,
                                      reason)
        if run is None:
            LOG.debug('Due time %s of scheduled operation %s was claimed by '
                      'another engine', _iso(latest), operation.id)
            return
        if missed:
            LOG.warning('Scheduled operation %s: %s', operation.id, reason)
            self._record_missed(operation, missed, reason)
        if due is not None:
            LOG.info('Scheduled operation %s (%s): running the due time %s '
                     '(%.3f s late)', operation.id, operation.operation_type,
                     _iso(due), (now - due).total_seconds())
            notify.scheduled_run_event(run, operation, 'start')
            self.execute(operation, run, now)

    def _record_missed(self, operation, missed, reason):
        ctx = actions.context_for(operation)
        runs = [r for r in operations_db.runs_get(operation.id)
                if r.due_at in missed]
        for run in runs:
            notify.scheduled_run_event(run, operation, 'missed')
        last = [r for r in runs if r.due_at == missed[-1]]
        if not last:
            return
        log = actions.operation_log(
            ctx, operation, last[0], self._log_type(operation),
            status=operations_db.RUN_MISSED, error_info=reason, ended=True,
            plan_id=operation.operation_definition.get('plan_id'),
            provider_id=operation.operation_definition.get('provider_id'))
        operations_db.run_update(last[0].id, {'operation_log_ids': [log.id]})

    @staticmethod
    def _log_type(operation):
        if operation.operation_type == definitions.VERIFY:
            return constants.OPERATION_VERIFY
        return constants.OPERATION_PROTECT

    # Starting a run

    def execute(self, operation, run, now):
        ctx = actions.context_for(operation)
        try:
            if operation.operation_type == definitions.VERIFY:
                started = actions.verify(ctx, operation, run, now)
                if not started:
                    self._nothing_to_verify(ctx, operation, run)
                    return
                operations_db.run_update(run.id, {
                    'verification_ids': [v for v, _log in started],
                    'operation_log_ids': [log for _v, log in started]})
            else:
                checkpoint_id, log_id = actions.protect(ctx, operation, run)
                operations_db.run_update(run.id, {
                    'checkpoint_id': checkpoint_id,
                    'operation_log_ids': [log_id]})
        except Exception as e:
            reason = '%s' % e
            if not isinstance(e, exception.KarborException):
                LOG.exception('Run %s of scheduled operation %s failed',
                              run.id, operation.id)
                reason = 'unexpected error: %s' % e
            LOG.warning('Run of scheduled operation %s due at %s failed: '
                        '%s', operation.id, _iso(run.due_at), reason)
            log = actions.operation_log(
                ctx, operation, run, self._log_type(operation),
                status=constants.OPERATION_LOG_STATUS_ERROR,
                error_info=reason, ended=True,
                plan_id=operation.operation_definition.get('plan_id'),
                provider_id=operation.operation_definition.get(
                    'provider_id'))
            self._end(run, operations_db.RUN_ERROR, reason,
                      operation_log_ids=list(run.operation_log_ids or []) +
                      [log.id])

    def _nothing_to_verify(self, ctx, operation, run):
        days = operation.operation_definition.get('not_verified_within_days')
        plan_id = operation.operation_definition['plan_id']
        if days:
            status = operations_db.RUN_SUCCESS
            reason = ('every available checkpoint of plan %s was verified '
                      'within %d days' % (plan_id, days))
        else:
            status = operations_db.RUN_ERROR
            reason = 'plan %s has no available checkpoint to verify' % (
                plan_id)
        log = actions.operation_log(
            ctx, operation, run, constants.OPERATION_VERIFY,
            status=(constants.OPERATION_LOG_STATUS_SUCCESS
                    if status == operations_db.RUN_SUCCESS
                    else constants.OPERATION_LOG_STATUS_ERROR),
            error_info=None if status == operations_db.RUN_SUCCESS
            else reason, ended=True, plan_id=plan_id,
            provider_id=operation.operation_definition['provider_id'])
        self._end(run, status, reason, operation_log_ids=[log.id])

    @staticmethod
    def _end(run, status, reason, **values):
        """End ``run`` if it still runs (one engine does); the ended run or
        None."""
        values.update(status=status, reason=reason,
                      ended_at=timeutils.utcnow())
        ended = operations_db.run_update(run.id, values,
                                         expected_status=operations_db
                                         .RUN_RUNNING)
        if ended is not None:
            notify.about(
                lambda: _operation_or_none(ended.scheduled_operation_id),
                lambda operation: notify.scheduled_run_event(
                    ended, operation,
                    'end' if status == operations_db.RUN_SUCCESS
                    else 'error'))
        return ended

    # Following runs

    def follow_runs(self):
        """End the runs whose work ended; whether some still run."""
        running = False
        for run in operations_db.runs_get(status=operations_db.RUN_RUNNING):
            try:
                running = self._follow(run) or running
            except Exception:
                LOG.exception('Run %s could not be followed', run.id)
        return running

    def _follow(self, run):
        """Whether ``run`` still runs after a look at its work."""
        if run.checkpoint_id:
            return self._follow_protect(run)
        if run.verification_ids:
            return self._follow_verify(run)
        waited = (timeutils.utcnow() - run.started_at).total_seconds()
        if waited > self.conf.operationengine.start_timeout:
            self._end(run, operations_db.RUN_ERROR,
                      'the engine that claimed it (%s) stopped before '
                      'starting it' % run.host)
            return False
        return True

    def _follow_protect(self, run):
        try:
            checkpoint = checkpoints_db.checkpoint_get(run.checkpoint_id)
        except exception.CheckpointNotFound:
            self._end(run, operations_db.RUN_ERROR,
                      'checkpoint %s is gone' % run.checkpoint_id)
            return False
        if checkpoint.status == constants.CHECKPOINT_STATUS_PROTECTING:
            return True
        if checkpoint.status != constants.CHECKPOINT_STATUS_AVAILABLE:
            self._end(run, operations_db.RUN_ERROR,
                      'checkpoint %s is %s: %s' % (
                          checkpoint.id, checkpoint.status,
                          checkpoint.status_reason or 'no reason given'))
            return False
        ended = self._end(run, operations_db.RUN_SUCCESS,
                          'checkpoint %s is available' % checkpoint.id)
        if ended is not None:
            self._retention(run, checkpoint)
        return False

    def _retention(self, run, checkpoint):
        try:
            operation = operations_db.scheduled_operation_get(
                run.scheduled_operation_id)
        except exception.ScheduledOperationNotFound:
            return
        if operation.operation_type != definitions.RETENTION_PROTECT:
            return
        try:
            deleted = actions.retention(
                actions.context_for(operation), operation, run,
                checkpoint.id, timeutils.utcnow())
        except Exception as e:
            LOG.warning('Retention of scheduled operation %s failed: %s',
                        operation.id, e)
            operations_db.run_update(run.id, {
                'reason': 'checkpoint %s is available; retention failed: '
                          '%s' % (checkpoint.id, e)})
            return
        if deleted:
            LOG.info('Retention of scheduled operation %s deletes '
                     'checkpoint(s) %s', operation.id, ', '.join(deleted))
            operations_db.run_update(run.id, {
                'reason': 'checkpoint %s is available; retention deletes %s'
                          % (checkpoint.id, ', '.join(deleted))})

    def _follow_verify(self, run):
        results = []
        for verification_id in run.verification_ids:
            try:
                results.append(verifications_db.verification_get(
                    verification_id))
            except exception.VerificationNotFound:
                continue
        if any(v.status == constants.VERIFICATION_STATUS_VERIFYING
               for v in results):
            return True
        failed = [v for v in results
                  if v.status != constants.VERIFICATION_STATUS_SUCCESS]
        if failed:
            self._end(run, operations_db.RUN_ERROR, '; '.join(
                'verification %s of checkpoint %s: %s' % (
                    v.id, v.checkpoint_id, v.status_reason or v.status)
                for v in failed))
        else:
            self._end(run, operations_db.RUN_SUCCESS,
                      'checkpoint(s) %s verified' % ', '.join(
                          v.checkpoint_id for v in results))
        return False
