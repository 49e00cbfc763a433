"""Flows that outlive the process that started them.

Every protect, delete, restore and verification is saved in taskflow's
persistence (the project's database, tables made by ``karbor-manage db
sync``) before it runs: a logbook per operation, whose one flow detail
names :func:`flow_factory` and its plain arguments (the kind and the
object's id) and holds the flow's store (ids, parameters, the request
context without its token). As the flow runs, taskflow records every
task that finished. Loading the flow detail again rebuilds the same flow
from the database and the bank, and the engine skips what had finished:
the flow resumes from its last finished task.

Two ways of running, chosen by ``[task_flow] jobboard_backend_hosts``:

* With a jobboard (Redis): the protection service that receives the RPC
  cast claims the operation's row, saves its flow and posts a job; the
  conductor of every protection service claims jobs, at most
  ``max_simultaneous_jobs`` at a time, with a claim that expires after
  ``jobboard_expiration_time`` unless its owner renews it. A worker that
  dies stops renewing: its claims expire and another conductor resumes
  its jobs.
* Without (karbor-all, a single protection service): the service runs
  what it receives itself; restarted, it resumes the flows its host was
  running instead of failing them.
"""

import contextlib
import threading
import uuid

from oslo_config import cfg
from oslo_log import log as logging
import redis
from taskflow.conductors.backends import impl_nonblocking
from taskflow import engines
from taskflow.engines.action_engine import engine as tf_engine
from taskflow import exceptions as tf_exceptions
from taskflow.jobs.backends import impl_redis
from taskflow.persistence import backends as persistence_backends
from taskflow.persistence.backends import impl_sqlalchemy
from taskflow.persistence import models as tf_models
from taskflow import states
from taskflow import storage as tf_storage
from taskflow.types import timing as tf_timing

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import restores as restores_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import graph
from karbor.services.protection import log_context

LOG = logging.getLogger(__name__)

GROUP = 'task_flow'

# Logbook ids are derived from the operation: whoever looks for the saved
# flow of an operation finds it without another table.
_NAMESPACE = uuid.UUID('6f0f5b4e-8a43-4a0e-9c4e-2f1d6a7c9b11')

# The request's token is never saved with a flow; the process that
# received the request keeps it in memory for its own run of the flow
# (a flow resumed elsewhere acts through the operation's trust).
_tokens = {}
_tokens_lock = threading.Lock()

_providers = None
_backend = None
_backend_lock = threading.Lock()


def book_id(kind, object_id):
    return str(uuid.uuid5(_NAMESPACE, '%s:%s' % (kind, object_id)))


def set_providers(registry):
    """The provider registry the flows are built with (the manager's)."""
    global _providers
    _providers = registry


def _registry():
    if _providers is None:
        from karbor.services.protection import provider as provider_module
        set_providers(provider_module.get_registry())
    return _providers


class _Backend(impl_sqlalchemy.SQLAlchemyBackend):
    """taskflow's SQLAlchemy persistence with one connection object for
    all: taskflow's own builds its tables' metadata anew for every
    connection, i.e. for every state change of every task, and so
    compiles every statement afresh (measured: a fifth of the CPU of a
    one-resource verification). Its connection keeps nothing but the
    engine and the tables, and its ``close()`` does nothing: sharing it
    between threads is what taskflow's storage does within one flow
    already (each call opens its own transaction on the engine)."""

    _shared = None

    def get_connection(self):
        conn = self._shared
        if conn is None:
            conn = self._shared = super().get_connection()
        return conn


def _sql_url(url):
    scheme = url.split(':', 1)[0].split('+', 1)[0]
    return scheme in ('sqlite', 'mysql', 'postgresql')


def jobboard_enabled(conf=cfg.CONF):
    return bool(conf[GROUP].jobboard_backend_hosts)


def persistence(conf=cfg.CONF):
    """taskflow's SQLAlchemy persistence on the project's database."""
    global _backend
    with _backend_lock:
        url = conf[GROUP].persistence_connection or conf.database.connection
        # The project's own engine when it is the same database: its pool,
        # and on SQLite its busy timeout (a second engine without it fails
        # with "database is locked" under concurrent flows).
        own = db_api.get_engine() if url == conf.database.connection \
            else None
        key = (url, id(own))
        if _backend is None or _backend.key != key:
            if own is not None:
                backend = _Backend({'connection': url}, engine=own)
            elif _sql_url(url):
                backend = _Backend({'connection': url})
            else:
                backend = persistence_backends.fetch({'connection': url})
            backend.key = key
            if url in ('sqlite://', 'sqlite:///', 'sqlite:///:memory:'):
                # A private in-memory database: no db sync made it.
                with contextlib.closing(backend.get_connection()) as conn:
                    conn.upgrade()
            _backend = backend
        return _backend


def reset():
    """Forget the persistence backend and providers (tests)."""
    global _backend, _providers
    with _backend_lock:
        if _backend is not None:
            _backend.close()
        _backend = None
    _providers = None


# Saving and loading


def storable_context(context):
    """The request context as it may be saved: without its token."""
    values = context.to_dict()
    token = values.pop('auth_token', None)
    for key in ('auth_token_info',):
        values.pop(key, None)
    return values, token


def remember_token(request_id, token):
    if token and request_id:
        with _tokens_lock:
            _tokens[request_id] = token


def forget_token(request_id):
    with _tokens_lock:
        _tokens.pop(request_id, None)


def request_context(values):
    """A RequestContext from a flow's stored context, with the caller's
    token when this process still has it."""
    values = dict(values or {})
    with _tokens_lock:
        token = _tokens.get(values.get('request_id'))
    if token and not values.get('auth_token'):
        values['auth_token'] = token
    return karbor_context.RequestContext.from_dict(values, overwrite=False)


def save_context(kind, object_id, context):
    """The operation's request context without its token, saved by the
    API before its cast (with a jobboard): a worker that takes over an
    operation whose cast was lost (consumed by a worker that died before
    it claimed it) then acts as the cast would have (its trust, its
    caller). Kept in the operation's logbook, replaced by its flow."""
    values, _token = storable_context(context)
    book = tf_models.LogBook('%s-%s' % (kind, object_id),
                             uuid=book_id(kind, object_id))
    book.meta = {'context': values}
    with contextlib.closing(persistence().get_connection()) as conn:
        conn.save_logbook(book)


def saved_context(kind, object_id):
    """The context :func:`save_context` or :func:`save` kept, or None."""
    try:
        with contextlib.closing(persistence().get_connection()) as conn:
            book = conn.get_logbook(book_id(kind, object_id), lazy=True)
    except Exception:
        return None
    return (book.meta or {}).get('context')


def save(kind, object_id, store):
    """Save the flow of an operation (factory, arguments, store); return
    its logbook and flow detail."""
    from karbor.services.protection.jobs import flow_factory
    name = '%s-%s' % (kind, object_id)
    book = tf_models.LogBook(name, uuid=book_id(kind, object_id))
    book.meta = {'context': store.get(constants.STORE_CONTEXT)}
    flow_detail = tf_models.FlowDetail(name, uuid=book.uuid)
    flow_detail.meta = {'store': store, 'kind': kind,
                        'object_id': object_id}
    # The store is saved with the flow, in the same transaction: taskflow
    # would otherwise inject it when the flow is first loaded, in two
    # commits (an empty injector, then its values), and a worker killed
    # between them leaves a flow nobody can load again.
    injector = tf_models.TaskDetail(tf_storage.Storage.injector_name,
                                    str(uuid.uuid4()))
    injector.results = dict(store)
    injector.state = states.SUCCESS
    flow_detail.add(injector)
    book.add(flow_detail)
    engines.save_factory_details(flow_detail, flow_factory,
                                 (kind, object_id), {})
    backend = persistence()
    with contextlib.closing(backend.get_connection()) as conn:
        conn.save_logbook(book)
    return book, flow_detail


def load(kind, object_id):
    """The saved logbook and flow detail of an operation, or None."""
    backend = persistence()
    with contextlib.closing(backend.get_connection()) as conn:
        try:
            book = conn.get_logbook(book_id(kind, object_id))
        except Exception:
            return None
    for flow_detail in book:
        if flow_detail.meta and 'factory' in flow_detail.meta:
            return book, flow_detail
    return None


def forget(book_uuid):
    """Remove an ended operation's saved flow."""
    try:
        with contextlib.closing(persistence().get_connection()) as conn:
            conn.destroy_logbook(book_uuid)
    except Exception as e:
        LOG.debug('Saved flow %s not removed: %s', book_uuid, e)


def engine_for(flow_detail, pool, backend=None):
    """An engine that runs (or resumes) a saved flow on ``pool``, every
    step with the operation's context."""
    store = dict(flow_detail.meta.get('store') or {})
    context = request_context(store.get(constants.STORE_CONTEXT))
    unfinished = [atom.name for atom in flow_detail
                  if atom.state == states.RUNNING]
    rerun = _RERUN.get(flow_detail.meta.get('kind'))
    if rerun is not None:
        unfinished += rerun(flow_detail)
    backend = backend or persistence()
    injector = next((atom for atom in flow_detail if atom.name ==
                     tf_storage.Storage.injector_name), None)
    if injector is not None and injector.results is None:
        # Saved by taskflow's own injection and cut between its two
        # commits (or saved so by an earlier release): its values again.
        injector.results = dict(store)
        injector.state = states.SUCCESS
        with contextlib.closing(backend.get_connection()) as conn:
            conn.update_atom_details(injector)
    # Made here rather than by engines.load_from_detail(): the same
    # engine, without a search of the entry points on every operation,
    # with the storage below.
    engine = _Engine(engines.flow_from_detail(flow_detail), flow_detail,
                     backend, {'executor': log_context.ContextExecutor(
                         pool, context)})
    if injector is None:
        # The store is in the flow detail (see save()); injected only for
        # a flow saved without it.
        engine.storage.inject(store)
    # Its storage now, so that a flow that cannot be loaded says so here
    # (not later, where a conductor would take it as a flow that ran).
    engine.storage.get_flow_state()
    # Tasks that were running when their worker died run again from the
    # start (a task left RUNNING would otherwise be taken as done, with
    # no result).
    for name in unfinished:
        engine.storage.set_atom_state(name, states.PENDING)
        engine.storage.set_atom_intention(name, states.EXECUTE)
    return context, engine


class _Storage(tf_storage.Storage):
    """taskflow's storage, without a write of its own for the progress
    the engine sets as a task starts (0.0) and ends (1.0): that progress
    is kept in memory and saved with the task's next change (taskflow
    writes the task's state just before each, and nothing reads it back
    to resume a flow: the state and the result do). Halves the writes of
    a flow. Progress a task reports itself is saved as before."""

    def set_task_progress(self, task_name, progress, details=None):
        if details is not None or progress not in (0.0, 1.0):
            return super().set_task_progress(task_name, progress,
                                             details=details)
        with self._lock.write_lock():
            source, _clone = self._atomdetail_by_name(
                task_name, expected_type=tf_models.TaskDetail)
            source.meta[tf_storage.META_PROGRESS] = progress


class _Engine(tf_engine.ParallelActionEngine):
    """taskflow's parallel engine with :class:`_Storage`."""

    @property
    def storage(self):
        found = self.__dict__.get('_karbor_storage')
        if found is None:
            def scope_fetcher(atom_name):
                if self._compiled:
                    return self._runtime.fetch_scopes_for(atom_name)
                return None
            found = self.__dict__['_karbor_storage'] = _Storage(
                self._flow_detail, backend=self._backend,
                scope_fetcher=scope_fetcher)
        return found


# The flows, rebuilt from plain values


def _sources(checkpoint_id):
    return graph.deserialize(
        checkpoints_db.checkpoint_resource_graph(checkpoint_id))


def _protect_flow(checkpoint_id):
    from karbor.services.protection.flows import protect as protect_flow
    row = checkpoints_db.checkpoint_get(checkpoint_id)
    provider = _registry().get(row.provider_id)
    return protect_flow.get_flow(provider, checkpoint_id,
                                 graph.deserialize(row.resource_graph))


def _delete_flow(checkpoint_id):
    from karbor.services.protection.flows import delete as delete_flow
    row = checkpoints_db.checkpoint_get(checkpoint_id)
    provider = _registry().get(row.provider_id)
    sources = (graph.deserialize(row.resource_graph)
               if row.resource_graph else [])
    return delete_flow.get_flow(provider, checkpoint_id, sources)


def new_resources_of(flow_detail):
    """The map of original to new resources that the finished hook tasks
    of a saved restore left (each task's result holds what its hooks
    added)."""
    found = {}
    for atom in flow_detail or ():
        if (atom.state == states.SUCCESS and isinstance(atom.results, dict)
                and atom.name != tf_storage.Storage.injector_name):
            found.update(atom.results.get('new_resources') or {})
    return found


def _restore_flow(restore_id):
    from karbor.services.protection.flows import restore as restore_flow
    row = restores_db.restore_get(restore_id)
    provider = _registry().get(row.provider_id)
    saved = load(constants.OPERATION_RESTORE, restore_id)
    return restore_flow.get_flow(
        provider, restore_id, _sources(row.checkpoint_id),
        new_resources=new_resources_of(saved[1] if saved else None))


def _verify_flow(verification_id):
    from karbor.services.protection.flows import verify as verify_flow
    row = verifications_db.verification_get(verification_id)
    provider = _registry().get(row.provider_id)
    values = None
    if row.progress:
        # Resumed: the resources counted are those whose verdict was
        # written; the object and byte counters start again with the
        # checks that run now (those of a check cut short would count
        # twice).
        statuses = row.resources_status or {}
        values = dict(row.progress, objects_total=0, objects_checked=0,
                      bytes_total=0, bytes_checked=0, resources_checked=sum(
                          1 for status in statuses.values() if status !=
                          constants.VERIFICATION_STATUS_VERIFYING))
    return verify_flow.get_flow(provider, verification_id,
                                _sources(row.checkpoint_id),
                                cfg.CONF.protection.verify_threads,
                                progress_values=values)


_FACTORIES = {
    constants.OPERATION_PROTECT: _protect_flow,
    constants.OPERATION_DELETE: _delete_flow,
    constants.OPERATION_RESTORE: _restore_flow,
    constants.OPERATION_VERIFY: _verify_flow,
}


def _verdicts_not_written(flow_detail):
    """Checks of a verification whose task finished but whose verdict
    never reached the database (verdicts are written in batches; the
    worker died before the next): they run again."""
    object_id = flow_detail.meta['object_id']
    row = verifications_db.verification_get(object_id)
    statuses = row.resources_status or {}
    return [atom.name for atom in flow_detail
            if atom.state == states.SUCCESS and atom.name.startswith(
                'verify-') and statuses.get(atom.name[len('verify-'):]) ==
            constants.VERIFICATION_STATUS_VERIFYING]


_RERUN = {constants.OPERATION_VERIFY: _verdicts_not_written}


def resource_count(kind, object_id):
    """How many resources the flow of an operation walks."""
    if kind in (constants.OPERATION_PROTECT, constants.OPERATION_DELETE):
        row = checkpoints_db.checkpoint_get(object_id)
        text = row.resource_graph
    else:
        getter = (restores_db.restore_get
                  if kind == constants.OPERATION_RESTORE
                  else verifications_db.verification_get)
        text = checkpoints_db.checkpoint_get(
            getter(object_id).checkpoint_id).resource_graph
    if not text:
        return 0
    return len(graph.iter_nodes(graph.deserialize(text)))


def tasked_resources(kind, object_id):
    """How many resources the flow of an operation saves a task (or
    several) each for: a verification has four tasks whatever its
    resources, and a protect one per batch of the resources that depend
    on no other (flows.resource_flow): those are not counted."""
    if kind == constants.OPERATION_VERIFY:
        return 0
    if kind != constants.OPERATION_PROTECT:
        return resource_count(kind, object_id)
    from karbor.services.protection.flows import resource_flow
    text = checkpoints_db.checkpoint_resource_graph(object_id)
    if not text:
        return 0
    return sum(len(component) for component in resource_flow.components(
        graph.iter_nodes(graph.deserialize(text))) if len(component) > 1)


def resumable(kind, object_id, conf=cfg.CONF):
    limit = conf[GROUP].max_resumable_resources
    return not limit or tasked_resources(kind, object_id) <= limit


def flow_factory(kind, object_id):
    """The flow of operation ``kind`` on ``object_id``, built from what
    the database and the bank hold (taskflow calls it again to resume)."""
    return _FACTORIES[kind](object_id)


# The jobboard


class _ExpiringBoard(impl_redis.RedisJobBoard):
    """taskflow's Redis jobboard whose claims expire unless renewed (a
    conductor claims with no expiry: a dead owner would keep its jobs),
    and whose jobs are offered in the order they were posted."""

    claim_expiry = 30

    def claim(self, job, who, expiry=None):
        return super().claim(job, who,
                             expiry=expiry or self.claim_expiry)

    def _fetch_jobs(self):
        # Oldest first: taskflow lists the newest first, so a dead
        # worker's jobs (posted long ago) waited behind every job posted
        # since, however many (measured: 20-30 s after their claims
        # expired, under 40 operations).
        return sorted(super()._fetch_jobs())


def make_board(conf=cfg.CONF):
    group = conf[GROUP]
    board_conf = {
        'host': group.jobboard_backend_hosts[0],
        'port': group.jobboard_backend_port,
        'namespace': group.jobboard_backend_namespace,
        'socket_timeout': 5.0,
        'socket_connect_timeout': 5.0,
    }
    if group.jobboard_backend_password:
        board_conf['password'] = group.jobboard_backend_password
    board = _ExpiringBoard(group.jobboard_name, board_conf,
                           persistence=persistence(conf))
    board.claim_expiry = group.jobboard_expiration_time
    board.connect()
    return board


def post(board, book, flow_detail):
    meta = flow_detail.meta
    store = meta['store']
    return board.post(flow_detail.name, book=book, details={
        'flow_uuid': flow_detail.uuid,
        'kind': meta['kind'], 'object_id': meta['object_id'],
        'operation_log_id': store.get(constants.STORE_OPERATION_LOG_ID)})


def ids_on_board(board):
    """Ids of the operations (objects and logs) that have a job on the
    board, claimed or not: their liveness is the board's business."""
    ids = set()
    for job in board.iterjobs(ensure_fresh=True):
        details = job.details or {}
        for key in ('object_id', 'operation_log_id'):
            if details.get(key):
                ids.add(details[key])
    return ids


class Liveness:
    """Which protection services are alive, as Redis (the jobboard's
    backend) tells: each service sets a key of its own that expires after
    ``jobboard_expiration_time`` unless it sets it again (its conductor
    does, with the claims it renews). One clock decides, Redis's: no
    comparison of heartbeats written by different hosts."""

    def __init__(self, conf=cfg.CONF):
        group = conf[GROUP]
        self.client = redis.Redis(
            host=group.jobboard_backend_hosts[0],
            port=group.jobboard_backend_port,
            password=group.jobboard_backend_password or None,
            socket_timeout=5.0, socket_connect_timeout=5.0)
        self.prefix = '%s.karbor.alive.' % group.jobboard_backend_namespace
        self.expiry = max(1, int(round(group.jobboard_expiration_time)))

    def mark(self, host):
        self.client.set(self.prefix + host, '1', ex=self.expiry)

    def hosts(self):
        """Hosts alive now (a Redis error propagates: nobody is declared
        dead when the answer is unknown)."""
        return {key.decode('utf-8')[len(self.prefix):]
                for key in self.client.scan_iter(match=self.prefix + '*')}

    def close(self):
        self.client.close()


class _Wait(tf_timing.Timeout):
    """The wait of a conductor that found nothing to claim: up to its
    poll interval, or until :meth:`wake` (a job was posted) or
    :meth:`interrupt` (it stops). A wake that comes while the conductor
    looks at the board is kept: the wait that follows returns at once."""

    def __init__(self, value):
        super().__init__(value)
        self._woken = threading.Event()

    def wake(self):
        self._woken.set()

    def interrupt(self):
        super().interrupt()
        self._woken.set()

    def wait(self):
        self._woken.wait(self.value)
        self._woken.clear()


class Conductor(impl_nonblocking.NonBlockingConductor):
    """Claims jobs, at most ``max_simultaneous_jobs`` at a time, runs
    them on the shared task pool, renews the claims of those it runs and
    the service's liveness, and ends each operation once its flow has
    ended.

    Hooks: ``on_claimed(kind, object_id, job)`` says whether the
    operation still waits (a job of an operation that ended is consumed
    without running); ``on_unrunnable(kind, object_id, job, error)`` says
    whether a job whose flow could not be loaded is to be consumed (else
    it goes back to the board: taskflow would trash it, and the
    operation would wait forever); ``on_ended(kind, object_id, details,
    job)``."""

    def __init__(self, name, board, pool, on_claimed, on_ended,
                 max_jobs, expiry, wait_timeout, on_unrunnable=None,
                 liveness=None, host=None):
        super().__init__(name, board, persistence=persistence(),
                         engine='parallel', wait_timeout=_Wait(wait_timeout),
                         max_simultaneous_jobs=max_jobs)
        self.pool = pool
        self.on_claimed = on_claimed
        self.on_ended = on_ended
        self.on_unrunnable = on_unrunnable
        self.liveness = liveness
        self.host = host
        self.expiry = expiry
        self._live = set()
        self._live_lock = threading.Lock()
        self._stopped = threading.Event()
        self._renewer = threading.Thread(target=self._renew_loop,
                                         name='jobboard-claims',
                                         daemon=True)
        self._renewer.start()

    def stop(self):
        self._stopped.set()
        super().stop()

    def wake(self):
        """A job was posted: look at the board now."""
        self._wait_timeout.wake()

    def _on_job_done(self, job, fut):
        try:
            super()._on_job_done(job, fut)
        finally:
            # A place is free: the next job is claimed now, not after a
            # poll interval.
            self.wake()

    def running_ids(self):
        """Object ids of the jobs this conductor runs now."""
        with self._live_lock:
            return {(job.details or {}).get('object_id')
                    for job in self._live}

    def mark_alive(self):
        if self.liveness is not None:
            try:
                self.liveness.mark(self.host)
            except Exception as e:
                LOG.warning('Could not tell the jobboard that %s is '
                            'alive: %s', self.host, e)

    def _renew_loop(self):
        self.mark_alive()
        while not self._stopped.wait(max(self.expiry / 3.0, 0.5)):
            self.mark_alive()
            with self._live_lock:
                live = list(self._live)
            for job in live:
                try:
                    self._renew(job)
                except Exception as e:
                    LOG.warning('Could not renew the claim on job %s: %s',
                                job.name, e)

    def _owner(self, job):
        try:
            return self._jobboard.find_owner(job)
        except TypeError:
            # taskflow's Redis board fails to decode a claim that is not
            # there (the claim lapsed): nobody's.
            return None

    def _renew(self, job):
        """Extend this conductor's claim on ``job``; claim it again if it
        lapsed (this worker was slow, nobody took it); if another worker
        holds it, stop acting on it: its flow is suspended here after the
        tasks running now (their results are single anyway: every end is
        a compare-and-set)."""
        owner = self._owner(job)
        if owner == self._name:
            # taskflow extends whoever's claim this is: asked first.
            job.extend_expiry(self.expiry)
            return
        if owner is None:
            try:
                self._jobboard.claim(job, self._name)
                LOG.warning('The claim on job %s had lapsed; claimed '
                            'again', job.name)
                return
            except (tf_exceptions.UnclaimableJob, tf_exceptions.NotFound):
                owner = self._owner(job)
        LOG.warning('The claim on job %s was lost (now %s): its flow stops '
                    'here', job.name, owner)
        engine = getattr(job, '_karbor_engine', None)
        if engine is not None:
            engine.suspend()

    def _engine_from_job(self, job):
        flow_detail = self._flow_detail_from_job(job)
        context, engine = engine_for(flow_detail, self.pool,
                                     backend=self._persistence)
        job._karbor_context = context
        job._karbor_engine = engine
        return engine

    def _dispatch_job(self, job):
        details = job.details or {}
        kind, object_id = details.get('kind'), details.get('object_id')
        with self._live_lock:
            self._live.add(job)
        consume = False
        try:
            if not self.on_claimed(kind, object_id, job):
                consume = True
                return consume
            try:
                consume = super()._dispatch_job(job)
            except Exception as e:
                # Loading the flow failed (the engine runs inside
                # taskflow's own handling).
                LOG.warning('Job %s (%s %s) could not be run: %s',
                            job.name, kind, object_id, e)
                consume = bool(self.on_unrunnable and self.on_unrunnable(
                    kind, object_id, job, e))
                if not consume:
                    # Given back; not claimed again at once.
                    self._stopped.wait(1.0)
            return consume
        finally:
            with self._live_lock:
                self._live.discard(job)
            if consume:
                try:
                    self.on_ended(kind, object_id, details, job)
                except Exception:
                    LOG.exception('Ending job %s failed', job.name)


def flow_state(book_uuid):
    found = None
    try:
        with contextlib.closing(persistence().get_connection()) as conn:
            found = conn.get_logbook(book_uuid)
    except Exception:
        return None
    for flow_detail in found:
        return flow_detail.state
    return None


FINISHED = (states.SUCCESS, states.FAILURE, states.REVERTED)
