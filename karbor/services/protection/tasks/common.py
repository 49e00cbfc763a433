"""Helpers shared by the lifecycle tasks."""

from karbor.db import operation_logs as operation_logs_db


def failure_reason(flow_failures, default='the operation failed'):
    """The message of the first failure of a flow, for a person to read."""
    for failure in (flow_failures or {}).values():
        return failure.exception_str or default
    return default


RUNNING_LOG_STATUSES = operation_logs_db.RUNNING


def finish_operation_log(operation_log_id, error=None):
    """End a log that is still running (recovery may have ended it)."""
    return operation_logs_db.operation_log_end(operation_log_id, error)
