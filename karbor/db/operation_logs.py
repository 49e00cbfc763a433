"""Database functions of operation logs."""

from oslo_utils import timeutils

from karbor.common import constants
from karbor.common import exception
from karbor.db import api
from karbor.db import ids
from karbor.db import models


def operation_log_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return api.create(models.OperationLog, values)


def operation_log_get(operation_log_id, project_id=None, plain=False):
    return api.get_one(
        models.OperationLog, operation_log_id,
        exception.OperationLogNotFound(operation_log_id=operation_log_id),
        project_id, plain=plain)


def operation_log_update(operation_log_id, values, expected=None):
    return api.update(
        models.OperationLog, operation_log_id, values,
        exception.OperationLogNotFound(operation_log_id=operation_log_id),
        expected)


def operation_log_get_all(**kwargs):
    return api.get_all(models.OperationLog, **kwargs)


RUNNING = list(constants.OPERATION_LOG_STATUS_RUNNING.values())


def ended(error=None, now=None):
    """The values of a log that ends now, in error if ``error`` is given
    (the reason), else in success."""
    values = {'ended_at': now or timeutils.utcnow(), 'host': None,
              'status': (constants.OPERATION_LOG_STATUS_ERROR if error
                         else constants.OPERATION_LOG_STATUS_SUCCESS)}
    if error:
        values['error_info'] = error
    return values


@api.retry_on_deadlock
def operation_log_end(operation_log_id, error=None):
    """End a log that is still running; True if it was (a compare-and-set
    on the running statuses: an ended log is never changed)."""
    with api.writer() as session:
        return api.end_operation_log(session, operation_log_id,
                                     ended(error))


def operation_log_claim(operation_log_id, host):
    """Record the host that runs a log still running; True if it was."""
    return operation_log_update(
        operation_log_id, {'host': host, 'started_at': timeutils.utcnow()},
        expected={'status': RUNNING}) is not None
