"""Database functions of the checkpoint index."""

from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exception
from karbor.common import notify
from karbor.db import api
from karbor.db import ids
from karbor.db import models
from karbor.db import operation_logs
from karbor.db import quotas


def checkpoint_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return api.create(models.Checkpoint, values)


def checkpoint_create_within_quota(values):
    """A new checkpoint of a protect (API or scheduled), if the project's
    checkpoints quota allows one more (else QuotaExceeded, 413)."""
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return quotas.create_within_quota(models.Checkpoint, values,
                                      quotas.CHECKPOINTS)


def checkpoint_get(checkpoint_id, project_id=None, provider_id=None,
                   plain=False):
    row = api.get_one(
        models.Checkpoint, checkpoint_id,
        exception.CheckpointNotFound(checkpoint_id=checkpoint_id),
        project_id, plain=plain)
    if provider_id is not None and row.provider_id != provider_id:
        raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
    return row


def checkpoint_resource_graph(checkpoint_id):
    """The serialised resource graph of a checkpoint (None before its
    protect recorded one), without loading the rest of the row: its plan
    alone is a JSON document as large as the graph, decoded for
    nothing when a flow of many resources is built."""
    with api.reader() as session:
        found = session.execute(
            sa.select(models.Checkpoint.resource_graph).where(
                models.Checkpoint.id == checkpoint_id)).first()
    if found is None:
        raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
    return found[0]


def checkpoint_update(checkpoint_id, values, expected=None):
    return api.update(
        models.Checkpoint, checkpoint_id, values,
        exception.CheckpointNotFound(checkpoint_id=checkpoint_id), expected)


def checkpoint_get_all(start_date=None, end_date=None, extra_criteria=(),
                       **kwargs):
    criteria = list(extra_criteria)
    if start_date is not None:
        criteria.append(models.Checkpoint.created_at >= start_date)
    if end_date is not None:
        criteria.append(models.Checkpoint.created_at < end_date)
    return api.get_all(models.Checkpoint, extra_criteria=criteria, **kwargs)


def checkpoint_end(checkpoint_id, running, status, operation_log_id,
                   reason=None):
    """Move a checkpoint from ``running`` (protecting, deleting) to
    ``status`` and end its operation log, in one transaction; False if it
    was no longer ``running`` (nothing changes)."""
    failed = status in (constants.CHECKPOINT_STATUS_ERROR,
                        constants.CHECKPOINT_STATUS_ERROR_DELETING)
    values = {'status': status, 'status_reason': reason, 'host': None}
    ended = api.end_with_log(
        models.Checkpoint, checkpoint_id, running, values, operation_log_id,
        operation_logs.ended((reason or status) if failed else None,
                             timeutils.utcnow()),
        exception.CheckpointNotFound(checkpoint_id=checkpoint_id))
    if ended:
        action = ('delete' if running == constants.CHECKPOINT_STATUS_DELETING
                  else 'create')
        notify.about(lambda: checkpoint_get(checkpoint_id),
                     notify.checkpoint_event, action,
                     'error' if failed else 'end')
    return ended


DELETABLE = (constants.CHECKPOINT_STATUS_AVAILABLE,
             constants.CHECKPOINT_STATUS_ERROR,
             constants.CHECKPOINT_STATUS_ERROR_DELETING)


def _status_refusal(row):
    """Why the status of ``row`` forbids deleting it, or None."""
    if row.status == constants.CHECKPOINT_STATUS_PROTECTING:
        return ('checkpoint %s is being protected (status protecting); '
                'delete it once the protect has ended (checkpoint-show says '
                'available or error)' % row.id)
    if row.status == constants.CHECKPOINT_STATUS_DELETING:
        return 'checkpoint %s is already being deleted' % row.id
    if row.status not in DELETABLE or row.host is not None:
        return ('checkpoint %s is %s; only a checkpoint that is %s can be '
                'deleted' % (row.id, row.status, ', '.join(DELETABLE)))
    return None


def checkpoint_check_deletable(row):
    """InvalidState (409) if the status of ``row`` forbids deleting it: a
    cheap early answer; :func:`checkpoint_start_delete` checks again, and
    checks everything, atomically."""
    reason = _status_refusal(row)
    if reason:
        raise exception.InvalidState(reason=reason)


def _why_not_deletable(session, row):
    """None if ``row`` (locked) may be deleted now; else why not, and what
    to do."""
    reason = _status_refusal(row)
    if reason:
        return reason
    for model, status, doing, show in (
            (models.Verification, constants.VERIFICATION_STATUS_VERIFYING,
             'verified', 'verification'),
            (models.Restore, constants.RESTORE_STATUS_IN_PROGRESS,
             'restored', 'restore')):
        running = api.ids_in_status(session, model, status,
                                    checkpoint_id=row.id)
        if running:
            return ('checkpoint %s is being %s (%s %s running: %s); delete '
                    'it once they have ended (%s-show), or, if one is '
                    'stuck, have an administrator reset its state' % (
                        row.id, doing, len(running), show + '(s)',
                        ', '.join(running), show))
    return None


@api.retry_on_deadlock
def checkpoint_start_delete(checkpoint_id, log_values):
    """Move a checkpoint to ``deleting`` and create the delete's operation
    log, in one transaction under the checkpoint's row lock, if nothing
    protects, verifies or restores it; else raise InvalidState (409)
    saying why and what to do. Starting a verification or a restore takes
    the same lock
    (:func:`karbor.db.api.create_for_available_checkpoint`), so there is no
    moment between the check and the change."""
    with api.writer() as session:
        row = api.lock_checkpoint(session, checkpoint_id)
        reason = _why_not_deletable(session, row)
        if reason:
            raise exception.InvalidState(reason=reason)
        row.status = constants.CHECKPOINT_STATUS_DELETING
        row.status_reason = None
        log_values = dict(log_values)
        log_values.setdefault('id', ids.newest_first())
        log = models.OperationLog(**log_values)
        session.add(log)
        session.flush()
        session.expunge(row)
        session.expunge(log)
        return row, log
