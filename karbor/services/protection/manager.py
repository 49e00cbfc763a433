"""Server side of the protection service's RPC API.

Every long operation arrives as a cast once the API has recorded it. The
manager claims it (records its host), builds the flow and runs it in a
bounded pool; whatever goes wrong before the flow runs still ends the
operation in ``error`` with a reason, never in a transient state.
"""

import threading
import time

from futurist import ThreadPoolExecutor
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from taskflow import engines
from taskflow import states

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.common import notify
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import restores as restores_db
from karbor.db import verifications as verifications_db
from karbor.i18n import _
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection.clients import auth
from karbor.services.protection.clients import trusts
from karbor.services.protection import graph
from karbor.services.protection import jobs
from karbor.services.protection import log_context
from karbor.services.protection import protectables
from karbor.services.protection import provider as provider_module
from karbor.services.protection import recovery
from karbor.services.protection import rpcapi
from karbor.services.protection import waiter
from karbor import version

LOG = logging.getLogger(__name__)


# Per kind of operation: how its row is updated, the status it waits in,
# and how it ends in error with its log (one transaction, only if it is
# still waiting or running: a compare-and-set).
_KINDS = {
    constants.OPERATION_PROTECT: (
        checkpoints_db.checkpoint_update,
        constants.CHECKPOINT_STATUS_PROTECTING,
        lambda object_id, log_id, reason: checkpoints_db.checkpoint_end(
            object_id, constants.CHECKPOINT_STATUS_PROTECTING,
            constants.CHECKPOINT_STATUS_ERROR, log_id, reason)),
    constants.OPERATION_DELETE: (
        checkpoints_db.checkpoint_update,
        constants.CHECKPOINT_STATUS_DELETING,
        lambda object_id, log_id, reason: checkpoints_db.checkpoint_end(
            object_id, constants.CHECKPOINT_STATUS_DELETING,
            constants.CHECKPOINT_STATUS_ERROR_DELETING, log_id, reason)),
    constants.OPERATION_RESTORE: (
        restores_db.restore_update,
        constants.RESTORE_STATUS_IN_PROGRESS,
        lambda object_id, log_id, reason: restores_db.restore_end(
            object_id, constants.RESTORE_STATUS_FAILURE, log_id, reason)),
    constants.OPERATION_VERIFY: (
        verifications_db.verification_update,
        constants.VERIFICATION_STATUS_VERIFYING,
        lambda object_id, log_id, reason: verifications_db.verification_end(
            object_id, constants.VERIFICATION_STATUS_ERROR, log_id,
            reason)),
}

_GETTERS = {
    constants.OPERATION_PROTECT: checkpoints_db.checkpoint_get,
    constants.OPERATION_DELETE: checkpoints_db.checkpoint_get,
    constants.OPERATION_RESTORE: restores_db.restore_get,
    constants.OPERATION_VERIFY: verifications_db.verification_get,
}

_WHAT = {
    constants.OPERATION_PROTECT: 'Protect of checkpoint %s',
    constants.OPERATION_DELETE: 'Delete of checkpoint %s',
    constants.OPERATION_RESTORE: 'Restore %s',
    constants.OPERATION_VERIFY: 'Verification %s',
}

# A job whose saved flow cannot be loaded goes back to the board this
# many times before its operation ends in error.
_LOAD_ATTEMPTS = 3


class ProtectionManager:
    """The RPC endpoint of karbor-protection."""

    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host=None):
        self.host = host or cfg.CONF.host
        self.executor = None
        self._stop = threading.Event()
        self._recovery_thread = None
        self.board = None
        self.conductor = None
        self._engines = set()
        self._engines_lock = threading.Lock()
        self._missing = set()
        self.liveness = None
        # Operations being claimed and saved by this service's RPC
        # consumer, not on the board yet.
        self._starting = set()
        self._starting_lock = threading.Lock()
        # Orphans seen: (kind, id, host) -> first seen (monotonic).
        self._orphans = {}
        self._unloadable = {}
        self._clock = time.monotonic

    def init_host(self):
        """Called once before the RPC server starts consuming."""
        conf = cfg.CONF
        self.providers = provider_module.get_registry(check_banks=True)
        jobs.set_providers(self.providers)
        try:
            # Loaded now so that a broken [service_user] shows at start.
            auth.service_user(conf)
        except auth.ServiceUserFailed as e:
            LOG.error('%s; operations on Cinder, Glance and Nova will fail '
                      'until it is fixed', e)
        self.executor = ThreadPoolExecutor(
            max_workers=conf.protection.max_concurrent_operations)
        # The steps of every running flow share one pool: a pool per flow
        # would cost its start and shutdown on every operation.
        self.task_executor = ThreadPoolExecutor(
            max_workers=conf.protection.max_concurrent_operations *
            conf.protection.operation_threads)
        if jobs.jobboard_enabled(conf):
            # What this host was running and is on the board is resumed
            # by whichever conductor claims it; the rest cannot be.
            self.board = jobs.make_board(conf)
            self.liveness = jobs.Liveness(conf)
            self.liveness.mark(self.host)
            self._start_conductor()
            # What this host ran before it restarted and is not on the
            # board is taken again now (saved flows posted, the others
            # built again); a job on the board is resumed by whichever
            # conductor claims it.
            self.adopt_orphans(jobs.ids_on_board(self.board),
                               restarted=True)
        else:
            recovery.fail_interrupted(self.host,
                                      keep=self._resume_interrupted())
        self._recovery_thread = threading.Thread(
            target=self._recovery_loop, name='recovery', daemon=True)
        self._recovery_thread.start()
        LOG.info('Protection manager ready on host %s with providers: %s',
                 self.host, ', '.join(p.name for p in self.providers.list())
                 or 'none')

    def cleanup_host(self):
        self._stop.set()
        if self.conductor is not None:
            # Running jobs are suspended after their current tasks and
            # given back to the board for a peer (or this service,
            # restarted) to resume.
            self.conductor.stop()
            self.conductor.wait(60)
            self.board.close()
            self.liveness.close()
        with self._engines_lock:
            for engine in self._engines:
                try:
                    engine.suspend()
                except Exception as e:
                    # Its saved flow is gone: it ended elsewhere.
                    LOG.info('A flow could not be suspended: %s', e)
        # Work that flows wait for (Cinder backups, ...) ends first, in
        # error: the flows then end too, rather than hold the shutdown.
        waiter.stop(_('the protection service on %s stopped') % self.host)
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.task_executor.shutdown(wait=True)
        LOG.info('Protection manager on host %s stopped', self.host)

    def _recovery_loop(self):
        while not self._stop.wait(cfg.CONF.protection.recovery_interval):
            try:
                if self.board is None:
                    recovery.fail_orphans()
                    self.take_waiting()
                    continue
                # With a jobboard, nothing is failed for want of a worker:
                # a live worker takes over what a dead one (or a lost
                # cast) left.
                on_board = jobs.ids_on_board(self.board)
                self.repost_lost(on_board)
                self.adopt_orphans(on_board)
            except Exception:
                LOG.exception('Looking for orphaned operations failed')

    # Quick questions

    def ping(self, context, payload=None):
        return {'host': self.host,
                'version': version.version_string(),
                'payload': payload}

    # Long operations

    @db_api.retry_on_deadlock
    def _claim(self, update, waiting, object_id, operation_log_id,
               expected_host):
        """The operation's row and its log name this host, in one
        transaction; None (nothing changed) if it no longer waits for
        ``expected_host``."""
        with db_api.writer():
            row = update(object_id,
                         {'host': self.host, 'status_reason': None},
                         expected={'status': [waiting],
                                   'host': [expected_host]})
            if row is not None:
                self._claim_log(operation_log_id)
        return row

    def _claim_log(self, operation_log_id):
        if not operation_logs_db.operation_log_claim(operation_log_id,
                                                     self.host):
            LOG.warning('Operation log %s had already ended; not claimed',
                        operation_log_id)

    def _failer(self, kind, object_id, operation_log_id, what):
        """``fail(reason)``: the last resort when a flow ended without
        ending its operation (the first task of every flow records a
        failure itself); only a record still running changes."""
        end_failed = _KINDS[kind][2]

        def fail(reason):
            if not end_failed(object_id, operation_log_id, reason):
                LOG.debug('%s had already ended; its failure (%s) is not '
                          'recorded', what, reason)
        return fail

    def _still_running(self, kind, object_id):
        waiting = _KINDS[kind][1]
        try:
            return _GETTERS[kind](object_id).status == waiting
        except exception.NotFound:
            return False

    def _ended(self, kind, object_id, operation_log_id, context, book_uuid,
               reason=None, ended=False):
        """A flow ended (not suspended): its operation ends too (unless
        ``ended``: known to have), its trust and saved flow go."""
        what = '%s %s' % (kind, object_id)
        if not ended and self._still_running(kind, object_id):
            self._failer(kind, object_id, operation_log_id, what)(
                reason or 'the flow of this operation ended without a '
                          'result; see the log of the protection service '
                          'on %s' % self.host)
        if context is not None:
            trusts.release(context)
            jobs.forget_token(context.request_id)
        if book_uuid is not None:
            # (None: it was never saved.)
            jobs.forget(book_uuid)

    def _run_saved(self, kind, object_id, operation_log_id, flow_detail,
                   what):
        """Load the saved flow now (errors reach the caller), run it (or
        resume it) later on this service's pool."""
        context, engine = jobs.engine_for(flow_detail, self.task_executor)
        engine.compile()
        engine.prepare()
        engine.validate()
        fail = self._failer(kind, object_id, operation_log_id, what)

        def run():
            with self._engines_lock:
                self._engines.add(engine)
            reason = None
            try:
                engine.run()
            except Exception as e:
                LOG.warning('%s ended in error: %s', what, e)
                reason = str(e) or e.__class__.__name__
                try:
                    fail(reason)
                except Exception:
                    LOG.exception('Could not record the failure of %s', what)
            finally:
                with self._engines_lock:
                    self._engines.discard(engine)
            if engine.storage.get_flow_state() == states.SUSPENDED:
                LOG.info('%s suspended; it resumes when the protection '
                         'service starts again', what)
                return
            self._ended(kind, object_id, operation_log_id, context,
                        flow_detail.uuid, reason)
        self.executor.submit(log_context.bound(run, context))

    def _run_unsaved(self, kind, object_id, operation_log_id, store, what):
        """An operation too large to be saved task by task: its flow runs
        here, in memory (not resumable)."""
        context = jobs.request_context(store.get(constants.STORE_CONTEXT))
        engine = engines.load(
            jobs.flow_factory(kind, object_id), store=store,
            engine='parallel',
            executor=log_context.ContextExecutor(self.task_executor,
                                                 context))
        engine.compile()
        engine.prepare()
        engine.validate()
        fail = self._failer(kind, object_id, operation_log_id, what)

        def run():
            reason = None
            try:
                engine.run()
            except Exception as e:
                LOG.warning('%s ended in error: %s', what, e)
                reason = str(e) or e.__class__.__name__
                try:
                    fail(reason)
                except Exception:
                    LOG.exception('Could not record the failure of %s', what)
            self._ended(kind, object_id, operation_log_id, context,
                        jobs.book_id(kind, object_id), reason)
        self.executor.submit(log_context.bound(run, context))

    def _run_steps(self, kind, object_id, operation_log_id, store, what):
        """A verification without a jobboard: the tasks of its (linear)
        flow called one after the other on this service's pool, without
        taskflow's engine (measured: ~7 ms and ~8 ms of CPU for four
        tasks, a fifth of a small verification). A failure ends it in
        error with the failure's message, as the first task's revert does
        in an engine. A stop of the service stops it between two tasks: it
        stays running with its verdicts, and the service, started again,
        builds it again from its row (see _resume_interrupted)."""
        context = jobs.request_context(store.get(constants.STORE_CONTEXT))
        steps = list(jobs.flow_factory(kind, object_id))
        fail = self._failer(kind, object_id, operation_log_id, what)

        def run():
            for step in steps:
                if self._stop.is_set():
                    LOG.info('%s stopped before %s; it starts again, '
                             'keeping its verdicts, when the protection '
                             'service starts again', what, step.name)
                    return
                try:
                    # Its execute's arguments, from the store, as the
                    # engine gives them (rebind: argument -> store name).
                    step.execute(**{arg: store[name] for arg, name in
                                    step.rebind.items() if name in store})
                except Exception as e:
                    reason = str(e) or 'the operation failed'
                    LOG.warning('%s ended in error: %s', what, reason)
                    try:
                        fail(reason)
                    except Exception:
                        LOG.exception('Could not record the failure of %s',
                                      what)
                    self._ended(kind, object_id, operation_log_id, context,
                                None, reason)
                    return
            # Its last step ended it (or found it ended).
            self._ended(kind, object_id, operation_log_id, context, None,
                        ended=True)
        self.executor.submit(log_context.bound(run, context))

    def _start(self, context, kind, object_id, operation_log_id,
               expected_host=None):
        """Claim the operation (its row names this host, if it was
        ``expected_host``'s), save its flow and post it on the jobboard or
        run it; any failure before the flow runs ends the operation and
        its log in error with a reason. True if this service took it."""
        update, waiting, _end = _KINDS[kind]
        what = _WHAT[kind] % object_id
        with self._starting_lock:
            self._starting.add(object_id)
        try:
            # Taken: no longer "waiting: no protection service is up" (the
            # API's note on work it queued while none was).
            row = self._claim(update, waiting, object_id, operation_log_id,
                              expected_host)
            if row is None:
                LOG.info('%s is no longer waiting; ignored', what)
                return False
            notify.operation_started(kind, row)
            self._prepare(context, kind, object_id, operation_log_id, what,
                          row)
            return True
        finally:
            with self._starting_lock:
                self._starting.discard(object_id)

    def _prepare(self, context, kind, object_id, operation_log_id, what,
                 row):
        build = getattr(self, '_build_' + kind)(context, object_id)
        fail = self._failer(kind, object_id, operation_log_id, what)
        try:
            store = build(row)
            values, token = jobs.storable_context(context)
            store.update({
                constants.STORE_CONTEXT: values,
                constants.STORE_PROVIDER_ID: row.provider_id,
                constants.STORE_OPERATION_LOG_ID: operation_log_id,
            })
            jobs.remember_token(context.request_id, token)
            if kind == constants.OPERATION_VERIFY and self.board is None:
                # Without a jobboard, nobody but this service (restarted)
                # runs it again, and it needs no saved flow for that: it
                # only reads, its verdicts are written to its row as they
                # come. Not saving it spares a logbook, a flow and an atom
                # write per task (a third of a small verification's time),
                # and its four steps need no engine either.
                self._run_steps(kind, object_id, operation_log_id, store,
                                what)
                return
            if not jobs.resumable(kind, object_id):
                # Too large to save task by task: run here, unsaved.
                self._run_unsaved(kind, object_id, operation_log_id, store,
                                  what)
                return
            book, flow_detail = jobs.save(kind, object_id, store)
            if self.board is not None:
                self._post(book, flow_detail)
            else:
                self._run_saved(kind, object_id, operation_log_id,
                                flow_detail, what)
        except Exception as e:
            LOG.exception('%s could not start', what)
            fail('%s could not start: %s' % (
                what, str(e) or e.__class__.__name__))
            trusts.release(context)
            jobs.forget_token(context.request_id)
            jobs.forget(jobs.book_id(kind, object_id))

    def _post(self, book, flow_detail):
        """Post a job; this service's conductor looks at the board at
        once (not after its ``jobboard_poll_interval``)."""
        jobs.post(self.board, book, flow_detail)
        if self.conductor is not None:
            self.conductor.wake()

    # Resumption

    def _resume_interrupted(self):
        """At start without a jobboard: resume the flows this host was
        running, and build again its verifications (never saved without a
        jobboard); return the ids (objects and logs) resumed."""
        resumed = set()
        for kind, object_id, host, log_id in recovery.in_progress():
            if host != self.host:
                continue
            what = '%s %s' % (kind, object_id)
            saved = jobs.load(kind, object_id)
            if saved is None:
                if kind == constants.OPERATION_VERIFY and log_id:
                    try:
                        taken = self._start(
                            self._context_of(kind, object_id), kind,
                            object_id, log_id, expected_host=self.host)
                    except Exception:
                        LOG.exception('%s cannot be started again', what)
                        continue
                    if taken:
                        LOG.info('Resuming %s: built again, the resources '
                                 'with a verdict are not checked again',
                                 what)
                        resumed.update((object_id, log_id))
                continue
            _book, flow_detail = saved
            if flow_detail.state in jobs.FINISHED:
                continue
            log_id = flow_detail.meta['store'].get(
                constants.STORE_OPERATION_LOG_ID)
            try:
                self._run_saved(kind, object_id, log_id, flow_detail, what)
            except Exception:
                LOG.exception('%s cannot be resumed', what)
                continue
            LOG.info('Resuming %s from its last finished task', what)
            resumed.update((object_id, log_id))
        return resumed

    def repost_lost(self, on_board):
        """Post again the jobs of this host's operations that the board
        lost (a Redis restarted without its data): an operation running
        with this host, with a saved flow, missing from the board at two
        looks in a row (one look could race with a post). Returns the ids
        posted again."""
        missing = set()
        reposted = []
        # What this service runs is not lost, even if the board forgot it.
        running = self.conductor.running_ids() if self.conductor else set()
        for kind, object_id in recovery.running_on(self.host):
            if object_id in on_board or object_id in running:
                continue
            missing.add(object_id)
            if object_id not in self._missing:
                continue
            saved = jobs.load(kind, object_id)
            if saved is None or saved[1].state in jobs.FINISHED:
                continue
            self._post(*saved)
            LOG.warning('The job of %s %s was missing from the jobboard; '
                        'posted again', kind, object_id)
            reposted.append(object_id)
        self._missing = missing - set(reposted)
        return reposted

    def adopt_orphans(self, on_board, restarted=False):
        """Take over the operations nobody will run otherwise: waiting or
        running, not on the board, not run by this service's conductor,
        and either of a host that is not alive (the jobboard's liveness
        keys, one clock) or of no host (a cast consumed by a worker that
        died before it claimed the row), seen so at looks at least
        ``jobboard_expiration_time`` apart (three times that for no host:
        its cast may still be queued). ``restarted``: at start, this
        host's own operations (of the process that ran before) at once.
        The row is taken by compare-and-set on its host: of two workers
        adopting at once, one does. A saved flow is posted again; an
        operation with none is built again, as its cast would have.
        Returns the ids taken."""
        expiry = cfg.CONF.task_flow.jobboard_expiration_time
        alive = self.liveness.hosts()
        running = self.conductor.running_ids() if self.conductor else set()
        with self._starting_lock:
            starting = set(self._starting)
        now = self._clock()
        seen, adopted = {}, []
        for kind, object_id, host, log_id in recovery.in_progress():
            if (object_id in on_board or object_id in running or
                    object_id in starting):
                continue
            if restarted:
                if host != self.host:
                    continue
            elif host == self.host or host in alive:
                continue
            key = (kind, object_id, host)
            first = seen[key] = self._orphans.get(key, now)
            grace = expiry if host is not None else 3 * expiry
            if not restarted and now - first < grace:
                continue
            if log_id is None:
                LOG.warning('%s %s has no running operation log; not '
                            'taken over', kind, object_id)
                continue
            try:
                if self._adopt(kind, object_id, host, log_id):
                    adopted.append(object_id)
                    seen.pop(key, None)
            except Exception:
                LOG.exception('Taking over %s %s failed', kind, object_id)
        if not restarted:
            self._orphans = seen
        return adopted

    def take_waiting(self):
        """Without a jobboard: take the operations that no protection
        service has claimed for more than ``[protection] claim_timeout``
        seconds, rather than fail them for waiting. Their message may be
        queued behind others (it then finds them taken and is ignored) or
        lost (the in-process message of a karbor-all that stopped, a
        broker restarted without it): they are claimed by compare-and-set
        on their host (of several services, one takes each) and built
        again from the database, as their message would have. What cannot
        run (its provider is gone) ends in error with the reason, as it
        would have then. Returns the ids taken."""
        taken = []
        for kind, object_id, log_id in recovery.waiting(
                cfg.CONF.protection.claim_timeout):
            if log_id is None:
                LOG.warning('%s %s has no running operation log; not '
                            'taken', kind, object_id)
                continue
            try:
                if self._start(self._context_of(kind, object_id), kind,
                               object_id, log_id):
                    LOG.info('%s had waited more than %ss for a protection '
                             'service; taken by %s', _WHAT[kind] % object_id,
                             cfg.CONF.protection.claim_timeout, self.host)
                    taken.append(object_id)
            except Exception:
                LOG.exception('Taking %s %s failed', kind, object_id)
        return taken

    @staticmethod
    def _context_of(kind, object_id):
        """The context an operation is started again with, its message
        being lost: the one the API saved before its cast (token excepted)
        or, saved by none (an API without the jobboard's options), the
        operation's own project, without trust or token."""
        values = jobs.saved_context(kind, object_id)
        if values:
            return jobs.request_context(values)
        row = _GETTERS[kind](object_id)
        return karbor_context.RequestContext(
            project_id=row.project_id, is_admin=False, overwrite=False)

    def _adopt(self, kind, object_id, host, log_id):
        update, waiting, _end = _KINDS[kind]
        what = _WHAT[kind] % object_id
        saved = jobs.load(kind, object_id)
        if saved is None:
            taken = self._start(self._context_of(kind, object_id), kind,
                                object_id, log_id, expected_host=host)
        else:
            book, flow_detail = saved
            taken = update(object_id, {'host': self.host,
                                       'status_reason': None},
                           expected={'status': [waiting],
                                     'host': [host]}) is not None
            if taken:
                self._claim_log(log_id)
                if flow_detail.state in jobs.FINISHED:
                    self._ended(kind, object_id, log_id, None, book.uuid)
                else:
                    self._post(book, flow_detail)
        if taken:
            LOG.warning('%s was left by %s; taken over by %s (%s)', what,
                        host or 'a protection service that died before it '
                        'claimed it', self.host,
                        'its saved flow posted' if saved else 'built again')
        return taken

    def _on_claimed(self, kind, object_id, job):
        """A conductor of this service took a job: the operation's row
        names this host from now on. False if the operation has ended (a
        job posted twice): its job is consumed without running."""
        update, waiting, _end = _KINDS[kind]
        if update(object_id, {'host': self.host},
                  expected={'status': [waiting]}) is None:
            LOG.info('Job %s (%s %s): the operation has ended; consumed',
                     job.name, kind, object_id)
            return False
        LOG.info('Claimed job %s (%s %s)', job.name, kind, object_id)
        return True

    def _on_unrunnable(self, kind, object_id, job, error):
        """A job whose saved flow could not be loaded: given back to the
        board a few times (it may be a moment's database error), then its
        operation ends in error with the reason."""
        if not self._still_running(kind, object_id):
            return True
        attempts = self._unloadable[job.uuid] = (
            self._unloadable.get(job.uuid, 0) + 1)
        if attempts < _LOAD_ATTEMPTS:
            return False
        self._unloadable.pop(job.uuid, None)
        what = _WHAT[kind] % object_id
        self._failer(kind, object_id, (job.details or {}).get(
            'operation_log_id'), what)(
            'the saved flow of this operation cannot be loaded: %s' % (
                str(error) or error.__class__.__name__))
        return True

    def _on_job_ended(self, kind, object_id, details, job):
        self._ended(kind, object_id, details.get('operation_log_id'),
                    getattr(job, '_karbor_context', None), job.book_uuid)

    def _start_conductor(self):
        group = cfg.CONF.task_flow
        self.conductor = jobs.Conductor(
            'karbor-protection-%s' % self.host, self.board,
            self.task_executor, self._on_claimed, self._on_job_ended,
            max_jobs=(group.max_simultaneous_jobs or
                      cfg.CONF.protection.max_concurrent_operations),
            expiry=group.jobboard_expiration_time,
            wait_timeout=group.jobboard_poll_interval,
            on_unrunnable=self._on_unrunnable, liveness=self.liveness,
            host=self.host)
        self._conductor_thread = threading.Thread(
            target=self.conductor.run, name='conductor', daemon=True)
        self._conductor_thread.start()

    def _sources(self, checkpoint_id):
        """The resource graph a checkpoint recorded."""
        checkpoint = checkpoints_db.checkpoint_get(checkpoint_id)
        try:
            return graph.deserialize(checkpoint.resource_graph)
        except (TypeError, ValueError, KeyError) as e:
            raise exception.ProtectionFailed(
                reason='the resource graph of checkpoint %s is unreadable '
                       '(%s)' % (checkpoint_id, e))

    # The RPC casts; each claims its operation (see _start)

    def protect(self, context, checkpoint_id, operation_log_id):
        self._start(context, constants.OPERATION_PROTECT, checkpoint_id,
                    operation_log_id)

    def delete(self, context, checkpoint_id, operation_log_id):
        self._start(context, constants.OPERATION_DELETE, checkpoint_id,
                    operation_log_id)

    def restore(self, context, restore_id, operation_log_id,
                restore_auth=None):
        self._start(context, constants.OPERATION_RESTORE, restore_id,
                    operation_log_id)

    def verify(self, context, verification_id, operation_log_id):
        self._start(context, constants.OPERATION_VERIFY, verification_id,
                    operation_log_id)

    # What must happen before each kind's flow is saved: build(row) does
    # it and gives the flow's store

    def _build_protect(self, context, checkpoint_id):
        def build(row):
            provider = self.providers.get(row.provider_id)
            plan = row.protection_plan
            resources = [graph.make_resource(r['type'], r['id'],
                                             r.get('name'),
                                             r.get('extra_info'))
                         for r in plan.get('resources', [])]
            registry = protectables.get_registry()
            sources = graph.build_graph(
                resources, lambda r: registry.dependents(context, r))
            for node in graph.iter_nodes(sources):
                provider.plugin_for(node.value.type)
            checkpoint = checkpoint_module.Checkpoint(provider.bank,
                                                      checkpoint_id)
            checkpoint.write_index({
                'id': checkpoint_id,
                'status': constants.CHECKPOINT_STATUS_PROTECTING,
                'project_id': row.project_id,
                'provider_id': row.provider_id,
                'protection_plan': plan,
                'resource_graph': graph.pack(sources),
                'extra_info': row.extra_info,
                'created_at': row.created_at.isoformat(),
            })
            if checkpoints_db.checkpoint_update(
                    checkpoint_id,
                    {'resource_graph': graph.serialize(sources)},
                    expected={'status': [
                        constants.CHECKPOINT_STATUS_PROTECTING]}) is None:
                raise exception.OperationEnded(
                    what='checkpoint %s' % checkpoint_id,
                    status=checkpoints_db.checkpoint_get(
                        checkpoint_id).status)
            return {
                constants.STORE_CHECKPOINT_ID: checkpoint_id,
                constants.STORE_PARAMETERS: plan.get('parameters') or {}}
        return build

    def _build_delete(self, context, checkpoint_id):
        def build(row):
            # The plugins exist: the flow can be built.
            self.providers.get(row.provider_id)
            return {
                constants.STORE_CHECKPOINT_ID: checkpoint_id,
                constants.STORE_PARAMETERS: {}}
        return build

    def _build_restore(self, context, restore_id):
        def build(row):
            self.providers.get(row.provider_id)
            self._sources(row.checkpoint_id)
            return {
                constants.STORE_CHECKPOINT_ID: row.checkpoint_id,
                constants.STORE_RESTORE_ID: restore_id,
                constants.STORE_PARAMETERS: row.parameters or {}}
        return build

    def _build_verify(self, context, verification_id):
        def build(row):
            self.providers.get(row.provider_id)
            if self.board is not None:
                # Saved and posted: the graph must be readable now. (Run
                # here, its flow is built at once from it.)
                self._sources(row.checkpoint_id)
            return {
                constants.STORE_CHECKPOINT_ID: row.checkpoint_id,
                constants.STORE_VERIFICATION_ID: verification_id,
                constants.STORE_PARAMETERS: row.parameters or {}}
        return build
