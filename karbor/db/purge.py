"""Hard deletion of what no one sees any more: rows soft-deleted before a
date (checkpoints in status ``deleted``, verifications with a
``deleted_at``), operation logs that ended before it, and the saved flows
(taskflow's logbooks, flow and atom details) left by operations that are
no longer running. Running work is never touched."""

import sqlalchemy as sa
from taskflow.persistence.backends.sqlalchemy import tables as tf_tables

from karbor.common import constants
from karbor.db import api
from karbor.db import models

_ENDED_LOGS = (constants.OPERATION_LOG_STATUS_SUCCESS,
               constants.OPERATION_LOG_STATUS_ERROR)


def _criteria(before):
    """(name, model, WHERE clause) of each kind of row purged."""
    checkpoint = models.Checkpoint
    log = models.OperationLog
    return (
        ('checkpoints', checkpoint, sa.and_(
            checkpoint.status == constants.CHECKPOINT_STATUS_DELETED,
            sa.func.coalesce(checkpoint.updated_at,
                             checkpoint.created_at) < before)),
        ('verifications', models.Verification, sa.and_(
            models.Verification.deleted_at.isnot(None),
            models.Verification.deleted_at < before)),
        ('operation_logs', log, sa.and_(
            log.status.in_(_ENDED_LOGS),
            sa.func.coalesce(log.ended_at, log.updated_at,
                             log.created_at) < before)),
    )


# Operations in progress (kind, model, status): their saved flows stay;
# recovery also finds what a host runs by it.
IN_PROGRESS = (
    (constants.OPERATION_PROTECT, models.Checkpoint,
     constants.CHECKPOINT_STATUS_PROTECTING),
    (constants.OPERATION_DELETE, models.Checkpoint,
     constants.CHECKPOINT_STATUS_DELETING),
    (constants.OPERATION_RESTORE, models.Restore,
     constants.RESTORE_STATUS_IN_PROGRESS),
    (constants.OPERATION_VERIFY, models.Verification,
     constants.VERIFICATION_STATUS_VERIFYING),
)

_FLOW_TABLES = tf_tables.fetch(sa.MetaData())


def _ended_flows(session, before):
    """Uuids of the logbooks saved before ``before`` whose operation is
    not in progress (a flow is removed when its operation ends; one left
    is of a worker that died between the two)."""
    logbooks = _FLOW_TABLES.logbooks
    running = set()
    for kind, model, status in IN_PROGRESS:
        running.update('%s-%s' % (kind, object_id) for (object_id,) in
                       session.query(model.id).filter(model.status ==
                                                      status))
    saved = session.execute(
        sa.select(logbooks.c.uuid, logbooks.c.name).where(
            sa.func.coalesce(logbooks.c.updated_at,
                             logbooks.c.created_at) < before))
    return [uuid for uuid, name in saved if name not in running]


def _purge_flows(session, before, dry_run):
    books = _ended_flows(session, before)
    if dry_run or not books:
        return len(books)
    flows = sa.select(_FLOW_TABLES.flowdetails.c.uuid).where(
        _FLOW_TABLES.flowdetails.c.parent_uuid.in_(books))
    session.execute(sa.delete(_FLOW_TABLES.atomdetails).where(
        _FLOW_TABLES.atomdetails.c.parent_uuid.in_(flows)))
    session.execute(sa.delete(_FLOW_TABLES.flowdetails).where(
        _FLOW_TABLES.flowdetails.c.parent_uuid.in_(books)))
    return session.execute(sa.delete(_FLOW_TABLES.logbooks).where(
        _FLOW_TABLES.logbooks.c.uuid.in_(books))).rowcount


def purge(before, dry_run=False):
    """Hard-delete what was soft-deleted, or ended, before datetime
    ``before`` (UTC), in one transaction; {table: rows} deleted (or that
    would be, with ``dry_run``)."""
    counts = {}
    with api.writer() as session:
        for name, model, where in _criteria(before):
            if dry_run:
                counts[name] = session.scalar(
                    sa.select(sa.func.count()).select_from(model)
                    .where(where))
            else:
                counts[name] = session.execute(
                    sa.delete(model).where(where).execution_options(
                        synchronize_session=False)).rowcount
        counts['saved_flows'] = _purge_flows(session, before, dry_run)
    return counts
