"""Database sessions and the helpers every per-resource module shares.

Per-resource functions live in one module each (``karbor.db.services``,
...); this module holds the enginefacade transaction context.
"""

import collections
import contextlib
import functools
import threading

from oslo_config import cfg
from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa


@enginefacade.transaction_context_provider
class _ThreadContext:
    """What enginefacade keeps each thread's transaction in (its
    transaction context is per thread)."""


_CONTEXT = _ThreadContext()


def _in_transaction():
    """Whether this thread is inside a transaction of this module."""
    try:
        return _CONTEXT.transaction_ctx is not None
    except db_exc.NoEngineContextEstablished:
        return False


# Karbor runs on threads, not eventlet: oslo.db's time.sleep(0) after every
# transaction (to let green threads run) only hands the CPU away; profiled,
# it was a tenth of the time of a small read on a loaded machine.
enginefacade.configure(thread_checkin=False)
_ENGINE_LOCK = threading.Lock()
# Whether the thread is in the outermost transaction of reader(): its
# BEGIN on SQLite may be deferred.
_READING = threading.local()

# SQLite: one writer at a time; wait for the lock instead of failing.
SQLITE_BUSY_TIMEOUT_MS = 30000
# SQLite connections kept open between transactions (more are opened
# when more threads need one at once, and closed after).
SQLITE_POOL_SIZE = 8


@contextlib.contextmanager
def reader():
    """A read-only transaction (its session). On SQLite, the outermost one
    begins deferred: it takes no lock, so reads neither wait for a writer
    nor hold one up (WAL). A reader inside a writer is the writer's
    transaction, which stays immediate."""
    outermost = not _in_transaction()
    if outermost:
        _READING.active = True
    try:
        with enginefacade.reader.using(_CONTEXT) as session:
            yield session
    finally:
        if outermost:
            _READING.active = False


def writer():
    return enginefacade.writer.using(_CONTEXT)


# A write transaction that MySQL/MariaDB or PostgreSQL rolled back as the
# victim of a deadlock (or that waited past the lock wait timeout: oslo.db
# reports both as DBDeadlock) is run again, a few times, after a short
# random pause: under concurrent writers (a verification starting while
# a checkpoint is deleted and another ends) InnoDB's gap locks make such
# victims a normal event, not a reason for a 500.
_retrying = oslo_db_api.wrap_db_retry(
    max_retries=5, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=1, retry_on_deadlock=True, jitter=True)


def retry_on_deadlock(function):
    """Run ``function`` (one whole write transaction) again when the
    database chose it as a deadlock's victim. Inside an outer transaction
    it is not retried: the outer one was rolled back too, and is the one
    to run again."""
    retrying = _retrying(function)

    @functools.wraps(function)
    def call(*args, **kwargs):
        if _in_transaction():
            return function(*args, **kwargs)
        return retrying(*args, **kwargs)
    return call


def _sqlite_on_connect(dbapi_conn, connection_record):
    cursor = dbapi_conn.cursor()
    cursor.execute('PRAGMA busy_timeout = %d' % SQLITE_BUSY_TIMEOUT_MS)
    cursor.execute('PRAGMA journal_mode = WAL')
    # WAL with synchronous NORMAL: a commit is in the log when it returns
    # (no process crash loses it) and the log is fsynced at its
    # checkpoints, not at each of the ~20 commits of an operation.
    cursor.execute('PRAGMA synchronous = %s' % _sqlite_synchronous())
    cursor.execute('PRAGMA foreign_keys = ON')
    cursor.close()


def _sqlite_synchronous():
    """[DEFAULT] sqlite_synchronous; NORMAL where it is not registered (a
    tool that opens the database without Karbor's options)."""
    try:
        return cfg.CONF.sqlite_synchronous
    except cfg.NoSuchOptError:
        return 'NORMAL'


def _sqlite_immediate_begin(conn, cursor, statement, parameters, context,
                            executemany):
    # Take the write lock when a transaction that may write starts. A
    # deferred transaction that reads, then writes after another
    # connection wrote, fails at once with "database is locked" whatever
    # the busy timeout; an immediate one waits for the lock instead.
    # oslo.db emits the BEGIN itself (with the driver's own transaction
    # handling turned off); this makes it immediate, except for the
    # read-only transactions of reader(), which never write.
    if statement == 'BEGIN' and not getattr(_READING, 'active', False):
        statement = 'BEGIN IMMEDIATE'
    return statement, parameters


def _pool_connections(engine):
    """oslo.db opens a new SQLite connection for every transaction
    (NullPool), with its PRAGMAs: profiled, most of the time of a small
    read. Keep a few open instead, as SQLAlchemy itself does for SQLite
    files; each is used by one thread at a time. The pool keeps the
    listeners (connect, checkin) of the one it replaces. A local file
    needs no "ping" at each checkout (oslo.db's pre-ping: a SELECT 1 per
    transaction, profiled at 6% of a verification's busy time)."""
    old = engine.pool
    if not isinstance(old, sa.pool.NullPool):
        return
    engine.pool = sa.pool.QueuePool(
        old._creator, pool_size=SQLITE_POOL_SIZE, max_overflow=-1,
        recycle=old._recycle, echo=old.echo,
        logging_name=old._orig_logging_name,
        reset_on_return=old._reset_on_return, pre_ping=False,
        _dispatch=old.dispatch, dialect=old._dialect)
    old.dispose()


def tune_sqlite(engine):
    """WAL journal, busy timeout, pooled connections and immediate write
    transactions on a SQLite engine, for the threads of one process; no-op
    on other databases."""
    if engine.dialect.name != 'sqlite':
        return engine
    with _ENGINE_LOCK:
        if not sa.event.contains(engine, 'connect', _sqlite_on_connect):
            sa.event.listen(engine, 'connect', _sqlite_on_connect)
            sa.event.listen(engine, 'before_cursor_execute',
                            _sqlite_immediate_begin, retval=True)
            # Connections opened before the listeners get replaced.
            engine.dispose()
            _pool_connections(engine)
    return engine


def get_engine():
    """The writer engine of the configured database."""
    return tune_sqlite(enginefacade.writer.get_engine())


def _detach(session, rows):
    for row in rows:
        session.expunge(row)
    return rows


def get_one(model, object_id, not_found, project_id=None, plain=False):
    """The row ``object_id`` (of ``project_id`` when given) or ``not_found``.

    Another project's row answers exactly like a missing one. ``plain``:
    a read-only row (each column an attribute), read with one prepared
    SELECT, as get_all's plain rows (profiled: the ORM's get was half the
    time of a show).
    """
    if plain:
        with _plain_connection() as connection:
            row = _plain_get(connection, model, object_id, project_id)
        if row is None:
            raise not_found
        return _plain_class(model)._make(row)
    with reader() as session:
        row = session.get(model, object_id)
        if row is None or (project_id is not None and
                           row.project_id != project_id):
            raise not_found
        session.expunge(row)
        return row


@retry_on_deadlock
def create(model, values):
    with writer() as session:
        row = model(**values)
        session.add(row)
        session.flush()
        session.expunge(row)
        return row


def _matches(model, expected):
    """WHERE clauses: each column of ``expected`` in its allowed values
    (None allowed means NULL, which ``IN`` never matches)."""
    clauses = []
    for key, allowed in (expected or {}).items():
        column = getattr(model, key)
        allowed = list(allowed)
        values = [v for v in allowed if v is not None]
        clause = column.in_(values) if values else sa.false()
        if len(values) != len(allowed):
            clause = sa.or_(clause, column.is_(None))
        clauses.append(clause)
    return clauses


def compare_and_set(session, model, object_id, expected, values):
    """``UPDATE model SET values WHERE id = object_id AND <expected>``
    inside ``session``'s transaction: True if the row changed, False if it
    was not (or no longer) in an expected state. The check and the change
    are one statement: no other writer can slip between them."""
    result = session.execute(
        sa.update(model)
        .where(model.id == object_id, *_matches(model, expected))
        .values(**values)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@retry_on_deadlock
def update(model, object_id, values, not_found, expected=None):
    """Update a row and return it.

    With ``expected`` ({column: allowed values}) this is a compare-and-set:
    the row changes only if it is in one of those states, in the same
    statement that changes it; otherwise nothing changes and None is
    returned (``not_found`` is raised if the row does not exist).
    """
    with writer() as session:
        if expected:
            took = compare_and_set(session, model, object_id, expected,
                                   values)
            row = session.get(model, object_id)
            if row is None:
                raise not_found
            if not took:
                return None
        else:
            row = session.get(model, object_id, with_for_update=True)
            if row is None:
                raise not_found
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
        session.expunge(row)
        return row


@retry_on_deadlock
def end_with_log(model, object_id, running, values, operation_log_id,
                 log_values, not_found):
    """End an operation's object and its operation log in one
    transaction: the object moves from ``running`` (a status or a list of
    them) to ``values`` only if it is still running, and its log (if
    still running) ends with it. True if they ended here; False if the
    object had ended already (a recovery or a reset ended it, and its
    log with it): then nothing changes."""
    running = [running] if isinstance(running, str) else list(running)
    with writer() as session:
        if not compare_and_set(session, model, object_id,
                               {'status': running}, values):
            if session.get(model, object_id) is None:
                raise not_found
            return False
        if operation_log_id is not None:
            end_operation_log(session, operation_log_id, log_values)
        return True


def end_operation_log(session, operation_log_id, values):
    """End a log still running (in ``session``); True if it was."""
    from karbor.common import constants
    from karbor.db import models
    return compare_and_set(
        session, models.OperationLog, operation_log_id,
        {'status': list(constants.OPERATION_LOG_STATUS_RUNNING.values())},
        values)


@retry_on_deadlock
def delete(model, object_id, not_found):
    with writer() as session:
        row = session.get(model, object_id)
        if row is None:
            raise not_found
        session.delete(row)


def _columns(model):
    return [getattr(model, attr.key)
            for attr in sa.inspect(model).column_attrs]


columns = _columns

# A named tuple class per model, for plain rows: SQLAlchemy's Row answers
# an attribute by name through a slow path (~2.7 us each, profiled: most
# of the time of the views of a 1,000-row page); a named tuple's
# attributes are plain item lookups.
_PLAIN_CLASSES = {}


def _plain_class(model):
    try:
        return _PLAIN_CLASSES[model]
    except KeyError:
        cls = _PLAIN_CLASSES[model] = collections.namedtuple(
            'Plain' + model.__name__,
            [attr.key for attr in sa.inspect(model).column_attrs])
        return cls


def _plain(model, rows):
    make = _plain_class(model)._make
    return [make(row) for row in rows]


def plain_rows(model, statement, params=None):
    """The rows of a SELECT of the columns of ``model`` (``columns``), as
    get_all's plain rows: read-only, each column an attribute; read in
    the current transaction if there is one, otherwise on a connection
    of its own without an ORM session."""
    with _plain_connection() as connection:
        return _plain(model, connection.execute(statement, params or {}))


# The SELECT of each shape of list (model, filters, sort, limit) that the
# API reads plain rows with, built once with bind parameters: building it
# (ORM query, oslo.db's paginate_query, SQLAlchemy's cache key of a new
# statement) was, profiled, most of the time of an empty list.
_PLAIN_SELECTS = {}


def _plain_select(model, project, filters, sort_keys, sort_dirs, paged):
    """The statement of a list's shape; ``paged``: sorted and limited
    (``limit`` parameter), otherwise only filtered."""
    from oslo_db.sqlalchemy import utils as db_utils
    shape = (model, project,
             tuple((key, isinstance(value, (list, tuple, set)))
                   for key, value in filters),
             tuple(sort_keys), tuple(sort_dirs), paged)
    try:
        return _PLAIN_SELECTS[shape]
    except KeyError:
        pass
    statement = sa.select(*_columns(model))
    if project:
        statement = statement.where(
            model.project_id == sa.bindparam('project_id'))
    for key, many in shape[2]:
        column = getattr(model, key)
        name = 'filter_' + key
        statement = statement.where(
            column.in_(sa.bindparam(name, expanding=True)) if many
            else column == sa.bindparam(name))
    if paged:
        statement = db_utils.paginate_query(
            statement, model, None, sort_keys, sort_dirs=sort_dirs).limit(
                sa.bindparam('limit', type_=sa.Integer))
    _PLAIN_SELECTS[shape] = statement
    return statement


def _plain_by_id(model):
    """SELECT the columns of ``model`` WHERE id = :id (built once)."""
    try:
        return _PLAIN_SELECTS[model]
    except KeyError:
        statement = _PLAIN_SELECTS[model] = sa.select(
            *_columns(model)).where(model.id == sa.bindparam('id'))
        return statement


def _plain_get(connection, model, object_id, project_id):
    """The row ``object_id`` (its columns), None when it is missing or,
    ``project_id`` given, another project's."""
    row = connection.execute(_plain_by_id(model), {'id': object_id}).first()
    if row is None or (project_id is not None and
                       row.project_id != project_id):
        return None
    return row


def _plain_marker(connection, model, marker, project_id):
    """The marker's row, refused like a missing id when it is another
    project's."""
    row = _plain_get(connection, model, marker, project_id)
    if row is None:
        from karbor.common import exception
        raise exception.MarkerNotFound(marker=marker)
    return row


@contextlib.contextmanager
def _plain_connection():
    """A connection to read plain rows on: the current transaction's when
    there is one, otherwise one of the engine's, in a read-only
    transaction (deferred on SQLite, as in reader()) without the ORM
    session that enginefacade sets up around it (profiled: a sixth of an
    empty list's time)."""
    if _in_transaction():
        with reader() as session:
            yield session.connection()
        return
    engine = get_engine()
    _READING.active = True
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        _READING.active = False


def get_all(model, filters=None, project_id=None, marker=None, limit=None,
            sort_keys=None, sort_dirs=None, extra_criteria=(), plain=False):
    """A page of rows, filtered by equality, sorted, after ``marker``.

    ``sort_keys`` always ends with ``id`` so that pages are stable.
    ``plain``: read-only rows (each column an attribute, as on the model)
    rather than model objects; what a response is built from, without the
    ORM's bookkeeping of every object (profiled: most of the time of a
    page of 1,000 rows).
    """
    sort_keys = list(sort_keys or ['created_at'])
    sort_dirs = list(sort_dirs or ['desc'] * len(sort_keys))
    if 'id' not in sort_keys:
        sort_keys.append('id')
        sort_dirs.append(sort_dirs[-1] if sort_dirs else 'desc')
    if plain:
        return _get_all_plain(model, filters, project_id, marker, limit,
                              sort_keys, sort_dirs, extra_criteria)
    from oslo_db.sqlalchemy import utils as db_utils
    with reader() as session:
        query = session.query(model)
        if project_id is not None:
            query = query.filter(model.project_id == project_id)
        for key, value in (filters or {}).items():
            column = getattr(model, key)
            if isinstance(value, (list, tuple, set)):
                query = query.filter(column.in_(list(value)))
            else:
                query = query.filter(column == value)
        for criterion in extra_criteria:
            query = query.filter(criterion)
        marker_row = None
        if marker is not None:
            marker_row = session.get(model, marker)
            # Another project's row is no marker of this list: it must
            # answer exactly like an id that does not exist.
            if marker_row is None or (project_id is not None and
                                      marker_row.project_id != project_id):
                from karbor.common import exception
                raise exception.MarkerNotFound(marker=marker)
        query = db_utils.paginate_query(query, model, limit, sort_keys,
                                        marker=marker_row,
                                        sort_dirs=sort_dirs)
        return _detach(session, query.all())


def _get_all_plain(model, filters, project_id, marker, limit, sort_keys,
                   sort_dirs, extra_criteria):
    """get_all's plain rows: a statement of its shape, built once, with
    the values as parameters. With a marker or extra criteria (values in
    the statement itself), sorting and paging are added for the request
    by oslo.db's paginate_query, as for model objects."""
    from oslo_db.sqlalchemy import utils as db_utils
    filters = sorted((filters or {}).items())
    params = {'filter_' + key: (list(value) if isinstance(
        value, (list, tuple, set)) else value) for key, value in filters}
    if project_id is not None:
        params['project_id'] = project_id
    # Without a limit, the largest a LIMIT can say (SQLite's and MySQL's
    # "no limit" as well): one statement for both.
    params['limit'] = limit if limit is not None else 2 ** 63 - 1
    per_request = marker is not None or bool(extra_criteria)
    with _plain_connection() as connection:
        statement = _plain_select(model, project_id is not None, filters,
                                  sort_keys, sort_dirs, not per_request)
        if per_request:
            marker_row = None if marker is None else _plain_marker(
                connection, model, marker, project_id)
            statement = db_utils.paginate_query(
                statement.where(*extra_criteria), model, limit, sort_keys,
                marker=marker_row, sort_dirs=sort_dirs)
            del params['limit']
        return _plain(model, connection.execute(statement, params))


@retry_on_deadlock
def set_resource_statuses(model, object_id, not_found, running, verdicts,
                          **values):
    """Merge ``{key: (status, reason)}`` into the resources_status and
    resources_reason maps of a row (and set ``values``), under the row
    lock, so that resources finishing in parallel do not overwrite each
    other. A compare-and-set on ``running``: nothing changes once the row
    has left that status (a recovery or a reset ended it), and False
    says so; True if the verdicts were written."""
    with writer() as session:
        row = session.get(model, object_id, with_for_update=True)
        if row is None:
            raise not_found
        if row.status != running:
            return False
        statuses = dict(row.resources_status or {})
        reasons = dict(row.resources_reason or {})
        for key, (status, reason) in verdicts.items():
            statuses[key] = status
            reasons[key] = reason or ''
        row.resources_status = statuses
        row.resources_reason = reasons
        for key, value in values.items():
            setattr(row, key, value)
        return True


@retry_on_deadlock
def reset_state(model, object_id, was, values, running, resource_running,
                resource_error, log_column, reason, not_found):
    """An administrator's reset of an operation's status: a
    compare-and-set on ``was`` (the status the administrator saw), under
    the row lock. If it was ``running``, the resources still
    ``resource_running`` get ``resource_error`` with ``reason``, and its
    running operation log ends in error with ``reason``, in the same
    transaction. The row, or None if its status was no longer ``was``."""
    from karbor.db import models
    with writer() as session:
        row = session.get(model, object_id, with_for_update=True)
        if row is None:
            raise not_found
        if row.status != was:
            return None
        if was == running:
            statuses = dict(row.resources_status or {})
            reasons = dict(row.resources_reason or {})
            for key, status in statuses.items():
                if status == resource_running:
                    statuses[key] = resource_error
                    reasons[key] = reason
            row.resources_status = statuses
            row.resources_reason = reasons
            log = models.OperationLog
            for log_id in ids_in_status(
                    session, log,
                    _running_log_status(log_column), **{log_column:
                                                        object_id}):
                end_operation_log(session, log_id, {
                    'status': 'error', 'error_info': reason,
                    'ended_at': values.get('ended_at') or _now(),
                    'host': None})
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        session.expunge(row)
        return row


def _running_log_status(log_column):
    from karbor.common import constants
    kind = {'verification_id': constants.OPERATION_VERIFY,
            'restore_id': constants.OPERATION_RESTORE}[log_column]
    return constants.OPERATION_LOG_STATUS_RUNNING[kind]


def _now():
    from oslo_utils import timeutils
    return timeutils.utcnow()


def lock_checkpoint(session, checkpoint_id):
    """The checkpoint row, locked until ``session`` ends (SELECT ... FOR
    UPDATE; SQLite's immediate transactions hold the whole database).

    Deleting a checkpoint and starting a verification or restore of it
    both take this lock first, so they happen one after the other; a
    conditional UPDATE alone would not do on PostgreSQL, where a
    ``NOT EXISTS`` subquery sees the snapshot taken before the UPDATE
    waited for the row.
    """
    from karbor.common import exception
    from karbor.db import models
    row = session.get(models.Checkpoint, checkpoint_id, with_for_update=True,
                      populate_existing=True)
    if row is None:
        raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
    return row


def ids_in_status(session, model, status, **criteria):
    """Ids of the rows in ``status`` with these column values, read with a
    share lock (the latest committed rows whatever the isolation)."""
    return list(session.scalars(
        sa.select(model.id).where(
            model.status == status,
            *[getattr(model, k) == v for k, v in criteria.items()])
        .order_by(model.id).with_for_update(read=True)))


@retry_on_deadlock
def create_for_available_checkpoint(model, values, log_values, log_key,
                                    verb):
    """Insert an operation's row and its running operation log (whose
    ``log_key`` names the row), in one transaction, if the row's
    checkpoint is available under its row lock: a checkpoint that a
    delete took meanwhile is refused (InvalidState, 409: "only an
    available checkpoint can be <verb>"), and a delete that comes after
    sees this operation running."""
    from karbor.common import constants
    from karbor.common import exception
    from karbor.db import ids
    from karbor.db import models
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    log_values = dict(log_values, **{log_key: values['id']})
    log_values.setdefault('id', ids.newest_first())
    with writer() as session:
        checkpoint = lock_checkpoint(session, values['checkpoint_id'])
        if checkpoint.status != constants.CHECKPOINT_STATUS_AVAILABLE:
            raise exception.InvalidState(
                reason='checkpoint %s is %s; only an available checkpoint '
                       'can be %s' % (checkpoint.id, checkpoint.status, verb))
        row = model(**values)
        log = models.OperationLog(**log_values)
        session.add(row)
        session.add(log)
        session.flush()
        session.expunge(row)
        session.expunge(log)
        return row, log


def count(model, **criteria):
    """How many rows have these column values."""
    with reader() as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(model).where(
                *[getattr(model, k) == v for k, v in criteria.items()]))
