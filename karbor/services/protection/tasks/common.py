"""Helpers shared by the lifecycle tasks."""

from oslo_utils import timeutils

from karbor.common import constants
from karbor.db import operation_logs as operation_logs_db


def failure_reason(flow_failures, default='the operation failed'):
    """The message of the first failure of a flow, for a person to read."""
    for failure in (flow_failures or {}).values():
        return failure.exception_str or default
    return default


RUNNING_LOG_STATUSES = list(constants.OPERATION_LOG_STATUS_RUNNING.values())


def finish_operation_log(operation_log_id, error=None):
    """End a log that is still running (recovery may have ended it)."""
    values = {'ended_at': timeutils.utcnow(), 'host': None,
              'status': (constants.OPERATION_LOG_STATUS_ERROR if error
                         else constants.OPERATION_LOG_STATUS_SUCCESS)}
    if error:
        values['error_info'] = error
    operation_logs_db.operation_log_update(
        operation_log_id, values, expected={'status': RUNNING_LOG_STATUSES})
