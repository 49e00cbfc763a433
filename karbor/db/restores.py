"""Database functions of restores."""

from oslo_utils import timeutils

from karbor.common import constants
from karbor.common import exception
from karbor.common import notify
from karbor.db import api
from karbor.db import ids
from karbor.db import models
from karbor.db import operation_logs


def restore_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return api.create(models.Restore, values)


def restore_get(restore_id, project_id=None, plain=False):
    return api.get_one(models.Restore, restore_id,
                       exception.RestoreNotFound(restore_id=restore_id),
                       project_id, plain=plain)


def restore_update(restore_id, values, expected=None):
    return api.update(models.Restore, restore_id, values,
                      exception.RestoreNotFound(restore_id=restore_id),
                      expected)


def restore_get_all(**kwargs):
    return api.get_all(models.Restore, **kwargs)


def restore_count_running(checkpoint_id):
    """How many restores of ``checkpoint_id`` are still in progress."""
    return api.count(models.Restore, checkpoint_id=checkpoint_id,
                     status=constants.RESTORE_STATUS_IN_PROGRESS)


def restore_set_resource_status(restore_id, key, status, reason=''):
    """Set one resource's status and reason (parallel-safe)."""
    restore_set_resource_statuses(restore_id, {key: (status, reason)})


def restore_set_resource_statuses(restore_id, verdicts):
    """Set the statuses and reasons ``{key: (status, reason)}`` of several
    resources in one write (parallel-safe); False (nothing written) once
    the restore has ended."""
    return api.set_resource_statuses(
        models.Restore, restore_id,
        exception.RestoreNotFound(restore_id=restore_id),
        constants.RESTORE_STATUS_IN_PROGRESS, verdicts)


def restore_end(restore_id, status, operation_log_id, reason=None):
    """End a running restore and its operation log together, in one
    transaction; False if it had ended already (nothing changes)."""
    values = {'status': status, 'status_reason': reason, 'host': None}
    ended = api.end_with_log(
        models.Restore, restore_id, constants.RESTORE_STATUS_IN_PROGRESS,
        values, operation_log_id,
        operation_logs.ended(
            None if status == constants.RESTORE_STATUS_SUCCESS
            else reason or status,
            timeutils.utcnow()),
        exception.RestoreNotFound(restore_id=restore_id))
    if ended:
        notify.about(lambda: restore_get(restore_id), notify.restore_event,
                     'end' if status == constants.RESTORE_STATUS_SUCCESS
                     else 'error')
    return ended


def restore_create_for_checkpoint(values, log_values):
    """Create a restore and its running operation log under the lock of
    its checkpoint (:func:`karbor.db.api.create_for_available_checkpoint`)."""
    return api.create_for_available_checkpoint(
        models.Restore, values, log_values, 'restore_id', 'restored')


RESET_STATES = (constants.RESTORE_STATUS_SUCCESS,
                constants.RESTORE_STATUS_FAILURE)


def restore_reset_state(restore_id, was, state, reason):
    """An administrator sets the status of a restore that was ``was`` to
    ``state`` (success or fail). A running one ends: its resources still
    restoring and its operation log end in error with ``reason``, in the
    same transaction, and any later step of its flow is refused (the work
    already under way is not stopped). The row, or None if its status was
    no longer ``was``."""
    row = api.reset_state(
        models.Restore, restore_id, was,
        {'status': state, 'status_reason': reason, 'host': None},
        constants.RESTORE_STATUS_IN_PROGRESS,
        constants.RESOURCE_STATUS_RESTORING, constants.RESOURCE_STATUS_ERROR,
        'restore_id', reason, exception.RestoreNotFound(restore_id=restore_id))
    if row is not None and was == constants.RESTORE_STATUS_IN_PROGRESS:
        notify.about(lambda: row, notify.restore_event,
                     'end' if state == constants.RESTORE_STATUS_SUCCESS
                     else 'error')
    return row
