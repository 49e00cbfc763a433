"""Database functions of verifications."""

from oslo_utils import timeutils

from karbor.common import constants
from karbor.common import exception
from karbor.common import notify
from karbor.db import api
from karbor.db import ids
from karbor.db import models
from karbor.db import operation_logs

VERIFYING = constants.VERIFICATION_STATUS_VERIFYING


def _not_found(verification_id):
    return exception.VerificationNotFound(verification_id=verification_id)


def verification_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return api.create(models.Verification, values)


def verification_get(verification_id, project_id=None, plain=False):
    return api.get_one(models.Verification, verification_id,
                       _not_found(verification_id), project_id, plain=plain)


def verification_update(verification_id, values, expected=None):
    return api.update(models.Verification, verification_id, values,
                      _not_found(verification_id), expected)


def verification_get_all(**kwargs):
    return api.get_all(models.Verification, **kwargs)


def verification_set_resource_status(verification_id, key, status,
                                     reason=''):
    """Set one resource's verdict, under the row lock, so that resources
    checked in parallel do not overwrite each other."""
    verification_set_resource_statuses(verification_id,
                                       {key: (status, reason)})


def verification_set_resource_statuses(verification_id, verdicts,
                                       progress=None):
    """Set the verdicts ``{key: (status, reason)}`` of several resources
    (and the ``progress`` when given) in one write (parallel-safe)."""
    values = {'progress': progress} if progress is not None else {}
    return api.set_resource_statuses(
        models.Verification, verification_id, _not_found(verification_id),
        constants.VERIFICATION_STATUS_VERIFYING, verdicts, **values)


def verification_count_running(checkpoint_id):
    """How many verifications of ``checkpoint_id`` are still running."""
    return api.count(models.Verification, checkpoint_id=checkpoint_id,
                     status=constants.VERIFICATION_STATUS_VERIFYING)


def verification_set_progress(verification_id, progress):
    """The counters of a running verification; False (nothing written)
    once it has ended."""
    return verification_update(
        verification_id, {'progress': progress},
        expected={'status': [VERIFYING]}) is not None


def verification_end(verification_id, status, operation_log_id,
                     reason=None, **values):
    """End a running verification and its operation log together, in one
    transaction. False if it had ended already: an ended verification is
    never changed by a late step of its flow."""
    now = timeutils.utcnow()
    values.update(status=status, status_reason=reason, host=None,
                  ended_at=now)
    ended = api.end_with_log(
        models.Verification, verification_id, VERIFYING, values,
        operation_log_id,
        operation_logs.ended(
            None if status == constants.VERIFICATION_STATUS_SUCCESS
            else reason or status, now),
        _not_found(verification_id))
    if ended:
        notify.about(lambda: verification_get(verification_id),
                     notify.verification_event,
                     'end' if status == constants.VERIFICATION_STATUS_SUCCESS
                     else 'error')
    return ended


def verification_create_for_checkpoint(values, log_values):
    """Create a verification and its running operation log under the lock
    of its checkpoint
    (:func:`karbor.db.api.create_for_available_checkpoint`)."""
    return api.create_for_available_checkpoint(
        models.Verification, values, log_values, 'verification_id',
        'verified')


RESET_STATES = (constants.VERIFICATION_STATUS_SUCCESS,
                constants.VERIFICATION_STATUS_ERROR)


def verification_reset_state(verification_id, was, state, reason):
    """An administrator sets the status of a verification that was
    ``was`` to ``state`` (success or error). A running one ends: its
    unchecked resources and its operation log end in error with
    ``reason``, in the same transaction, and any later step of its flow is
    refused. The row, or None if its status was no longer ``was``."""
    values = {'status': state, 'status_reason': reason, 'host': None}
    if was == VERIFYING:
        values['ended_at'] = timeutils.utcnow()
    row = api.reset_state(
        models.Verification, verification_id, was, values, VERIFYING,
        VERIFYING, constants.VERIFICATION_STATUS_ERROR, 'verification_id',
        reason, _not_found(verification_id))
    if row is not None and was == VERIFYING:
        notify.about(lambda: row, notify.verification_event,
                     'end' if state == constants.VERIFICATION_STATUS_SUCCESS
                     else 'error')
    return row
