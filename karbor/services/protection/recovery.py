"""Nothing stays in a transient state after a crash.

Every protect, delete and restore records the host that runs it. When a
protection service starts, what its host was running is over: it is marked
failed with a reason that says so. While running, each service also fails
the work of protection services whose heartbeat stopped. Work that no
service has picked up is never failed for waiting: :func:`waiting` lists
what has waited longer than ``[protection] claim_timeout``, for a live
service to take (its message may have been lost).
"""

import datetime

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import notify
from karbor.db import api as db_api
from karbor.db import models
from karbor.db import purge
from karbor.db import services as services_db

LOG = logging.getLogger(__name__)

# (model, transient status -> final status)
_TRANSIENT = (
    (models.Checkpoint, {
        constants.CHECKPOINT_STATUS_PROTECTING:
            constants.CHECKPOINT_STATUS_ERROR,
        constants.CHECKPOINT_STATUS_DELETING:
            constants.CHECKPOINT_STATUS_ERROR_DELETING}),
    (models.Restore, {
        constants.RESTORE_STATUS_IN_PROGRESS:
            constants.RESTORE_STATUS_FAILURE}),
    (models.Verification, {
        constants.VERIFICATION_STATUS_VERIFYING:
            constants.VERIFICATION_STATUS_ERROR}),
)


def _fail_unfinished_resources(row, reason):
    """Resources whose verdict was never given get one."""
    statuses = dict(row.resources_status or {})
    reasons = dict(row.resources_reason or {})
    for key, status in statuses.items():
        if status == constants.VERIFICATION_STATUS_VERIFYING:
            statuses[key] = constants.VERIFICATION_STATUS_ERROR
            reasons[key] = reason
    row.resources_status = statuses
    row.resources_reason = reasons


@db_api.retry_on_deadlock
def _fail(criteria, reason):
    """Fail every transient row matching ``criteria``; return their ids."""
    failed = []
    ended = []
    now = timeutils.utcnow()
    with db_api.writer() as session:
        for model, finals in _TRANSIENT:
            # Locked: a flow ending the same row meanwhile waits, and then
            # finds it ended (its compare-and-set is refused).
            rows = session.query(model).filter(
                model.status.in_(list(finals)),
                *criteria(model)).with_for_update().all()
            for row in rows:
                ended.append((row.id, row.status))
                row.status = finals[row.status]
                row.status_reason = reason
                row.host = None
                if model is models.Verification:
                    _fail_unfinished_resources(row, reason)
                    row.ended_at = now
                failed.append(row.id)
        logs = session.query(models.OperationLog).filter(
            models.OperationLog.status.in_(
                list(constants.OPERATION_LOG_STATUS_RUNNING.values())),
            *criteria(models.OperationLog)).with_for_update().all()
        for log in logs:
            log.status = constants.OPERATION_LOG_STATUS_ERROR
            log.error_info = reason
            log.ended_at = now
            log.host = None
    notify.operations_failed(ended)
    return failed


def _not_kept(model, keep):
    return [model.id.notin_(list(keep))] if keep else []


def running_on(host):
    """(kind, id) of the operations ``host`` is running."""
    found = []
    with db_api.reader() as session:
        for kind, model, status in purge.IN_PROGRESS:
            for (object_id,) in session.query(model.id).filter(
                    model.host == host, model.status == status):
                found.append((kind, object_id))
    return found


def fail_interrupted(host, keep=()):
    """At start: what ``host`` was running did not finish, except the
    operations (and logs) of ``keep``: those resume."""
    reason = ('interrupted: the protection service on host %s stopped '
              'while this operation was running, and its saved flow '
              'cannot be resumed; run it again' % host)
    failed = _fail(lambda m: [m.host == host] + _not_kept(m, keep), reason)
    if failed:
        LOG.warning('Marked %d interrupted operation(s) of host %s as '
                    'failed: %s', len(failed), host, ', '.join(failed))
    return failed


def fail_orphans(conf=cfg.CONF, keep=()):
    """Work of dead hosts. Work that nobody has claimed yet is not failed
    for waiting, however long (see :func:`waiting`): it is queued, and
    runs when a protection service is free.

    ``keep``: ids of operations (and their logs) that have a job on the
    jobboard. Whether their worker lives is told by the board (a dead
    worker's claims expire and another resumes them), not by comparing
    this host's clock with another's heartbeat: they are left alone."""
    failed = []
    down_time = conf.service_down_time
    now = timeutils.utcnow()
    for service in services_db.service_get_all(
            binary=constants.SERVICE_BINARY_PROTECTION):
        last = service.last_heartbeat
        if last is None or timeutils.delta_seconds(last, now) > down_time:
            reason = ('interrupted: the protection service on host %s '
                      'stopped reporting while this operation was running; '
                      'run it again' % service.host)
            failed += _fail(lambda m, h=service.host: [m.host == h] +
                            _not_kept(m, keep), reason)
    if failed:
        LOG.warning('Marked %d orphaned operation(s) as failed: %s',
                    len(failed), ', '.join(failed))
    return failed


_IN_PROGRESS = (
    (constants.OPERATION_PROTECT, models.Checkpoint,
     constants.CHECKPOINT_STATUS_PROTECTING, 'checkpoint_id'),
    (constants.OPERATION_DELETE, models.Checkpoint,
     constants.CHECKPOINT_STATUS_DELETING, 'checkpoint_id'),
    (constants.OPERATION_RESTORE, models.Restore,
     constants.RESTORE_STATUS_IN_PROGRESS, 'restore_id'),
    (constants.OPERATION_VERIFY, models.Verification,
     constants.VERIFICATION_STATUS_VERIFYING, 'verification_id'),
)


def _running_logs(session, kind, log_column, object_ids):
    """{object id: id of its running operation log} of ``kind``."""
    return dict(session.query(log_column, models.OperationLog.id).filter(
        models.OperationLog.operation_type == kind,
        models.OperationLog.status ==
        constants.OPERATION_LOG_STATUS_RUNNING[kind],
        log_column.in_(object_ids)))


def waiting(older_than, conf=cfg.CONF):
    """(kind, object id, operation log id) of the operations that no
    protection service has claimed (no host) and that have waited since
    their last change for more than ``older_than`` seconds, oldest first,
    with the id of their running log (None if they have none)."""
    limit = timeutils.utcnow() - datetime.timedelta(seconds=older_than)
    found = []
    with db_api.reader() as session:
        for kind, model, status, column in _IN_PROGRESS:
            log_column = getattr(models.OperationLog, column)
            since = sa.func.coalesce(model.updated_at, model.created_at)
            rows = session.query(model.id, since).filter(
                model.status == status, model.host.is_(None),
                since < limit).all()
            if not rows:
                continue
            logs = _running_logs(session, kind, log_column,
                                 [row[0] for row in rows])
            found += [(row[1], kind, row[0], logs.get(row[0]))
                      for row in rows]
    return [item[1:] for item in sorted(found, key=lambda f: f[0])]


def in_progress():
    """(kind, object id, host, operation log id) of every operation
    waiting or running, with the id of its running log (None if it has
    none)."""
    found = []
    with db_api.reader() as session:
        for kind, model, status, column in _IN_PROGRESS:
            log_column = getattr(models.OperationLog, column)
            rows = session.query(model.id, model.host).filter(
                model.status == status).all()
            if not rows:
                continue
            logs = _running_logs(session, kind, log_column,
                                 [row.id for row in rows])
            found += [(kind, row.id, row.host, logs.get(row.id))
                      for row in rows]
    return found
