"""Database functions of scheduled operations and of their runs.

A run is claimed by inserting it: the unique key (scheduled_operation_id,
due_at) lets exactly one of several operation engines insert a given due
time; the others get DBDuplicateEntry and leave it. Missed due times are
inserted in the same transaction, so a due time is either run or missed,
once.
"""

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import exception
from karbor.db import api
from karbor.db import ids
from karbor.db import models

RUN_RUNNING = 'running'
RUN_SUCCESS = 'success'
RUN_ERROR = 'error'
RUN_MISSED = 'missed'
RUN_STATUSES = (RUN_RUNNING, RUN_SUCCESS, RUN_ERROR, RUN_MISSED)


def _not_found(operation_id):
    return exception.ScheduledOperationNotFound(
        scheduled_operation_id=operation_id)


def scheduled_operation_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    try:
        return api.create(models.ScheduledOperation, values)
    except db_exc.DBReferenceError:
        raise exception.TriggerNotFound(trigger_id=values.get('trigger_id'))


def scheduled_operation_get(operation_id, project_id=None):
    return api.get_one(models.ScheduledOperation, operation_id,
                       _not_found(operation_id), project_id)


def scheduled_operation_update(operation_id, values):
    return api.update(models.ScheduledOperation, operation_id, values,
                      _not_found(operation_id))


@api.retry_on_deadlock
def scheduled_operation_delete(operation_id):
    with api.writer() as session:
        row = session.get(models.ScheduledOperation, operation_id)
        if row is None:
            raise _not_found(operation_id)
        session.execute(sa.delete(models.ScheduledRun).where(
            models.ScheduledRun.scheduled_operation_id == operation_id))
        session.delete(row)


def trust_in_use(trust_id):
    """Whether a scheduled operation keeps the trust ``trust_id``."""
    with api.reader() as session:
        return session.scalar(sa.select(sa.func.count()).where(
            models.ScheduledOperation.trust_id == trust_id)) > 0


def scheduled_operation_get_all(**kwargs):
    return api.get_all(models.ScheduledOperation, **kwargs)


def enabled_with_triggers():
    """[(scheduled operation, trigger)] of every enabled scheduled
    operation of every project, for the engine."""
    with api.reader() as session:
        rows = session.execute(
            sa.select(models.ScheduledOperation, models.Trigger).join(
                models.Trigger,
                models.Trigger.id == models.ScheduledOperation.trigger_id
            ).where(models.ScheduledOperation.enabled.is_(True))).all()
        # A trigger of several operations is one object in the session.
        for obj in {id(o): o for row in rows for o in row}.values():
            session.expunge(obj)
        return [(op, trigger) for op, trigger in rows]


# Runs

def last_due(operation_id):
    """The latest due time of ``operation_id`` that was claimed (run or
    missed), or None."""
    with api.reader() as session:
        return session.scalar(
            sa.select(sa.func.max(models.ScheduledRun.due_at)).where(
                models.ScheduledRun.scheduled_operation_id == operation_id))


def latest_runs(operation_ids):
    """{scheduled operation id: its latest run} for ``operation_ids``."""
    if not operation_ids:
        return {}
    with api.reader() as session:
        latest = sa.select(
            models.ScheduledRun.scheduled_operation_id,
            sa.func.max(models.ScheduledRun.due_at).label('due_at')).where(
                models.ScheduledRun.scheduled_operation_id.in_(
                    list(operation_ids))).group_by(
                models.ScheduledRun.scheduled_operation_id).subquery()
        rows = session.scalars(sa.select(models.ScheduledRun).join(
            latest, sa.and_(
                models.ScheduledRun.scheduled_operation_id ==
                latest.c.scheduled_operation_id,
                models.ScheduledRun.due_at == latest.c.due_at))).all()
        return {r.scheduled_operation_id: r for r in api._detach(session,
                                                                 rows)}


def run_claim(operation, due, missed, host, missed_reason=None):
    """Claim ``due`` (a due time to run now, or None) and record
    ``missed`` (due times past their window) of ``operation``, in one
    transaction. The run row, or None when another engine claimed one of
    these due times first (then none is recorded here)."""
    now = timeutils.utcnow()
    rows = [models.ScheduledRun(
        id=ids.newest_first(), scheduled_operation_id=operation.id,
        project_id=operation.project_id, due_at=moment, status=RUN_MISSED,
        host=host, created_at=now, ended_at=now, reason=missed_reason)
        for moment in missed]
    claimed = None
    if due is not None:
        claimed = models.ScheduledRun(
            id=ids.newest_first(), scheduled_operation_id=operation.id,
            project_id=operation.project_id, due_at=due, status=RUN_RUNNING,
            host=host, created_at=now, started_at=now)
        rows.append(claimed)
    try:
        with api.writer() as session:
            session.add_all(rows)
            session.flush()
            for row in rows:
                session.expunge(row)
    except (db_exc.DBDuplicateEntry, db_exc.DBDeadlock):
        # Another engine inserted (or is inserting) one of these due
        # times: it has them.
        return None
    return claimed if claimed is not None else rows[-1]


def run_update(run_id, values, expected_status=None):
    """Update a run; with ``expected_status`` only if it is still in that
    status (None then): one engine finishes a run."""
    expected = ({'status': [expected_status]}
                if expected_status is not None else None)
    return api.update(models.ScheduledRun, run_id, values,
                      exception.NotFound(), expected)


def runs_get(operation_id=None, status=None):
    with api.reader() as session:
        query = sa.select(models.ScheduledRun)
        if operation_id is not None:
            query = query.where(
                models.ScheduledRun.scheduled_operation_id == operation_id)
        if status is not None:
            query = query.where(models.ScheduledRun.status == status)
        rows = session.scalars(query.order_by(
            models.ScheduledRun.due_at)).all()
        return api._detach(session, rows)
