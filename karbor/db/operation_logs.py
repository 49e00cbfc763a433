"""Database functions of operation logs."""

from karbor.common import exception
from karbor.db import api
from karbor.db import ids
from karbor.db import models


def operation_log_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return api.create(models.OperationLog, values)


def operation_log_get(operation_log_id, project_id=None):
    return api.get_one(
        models.OperationLog, operation_log_id,
        exception.OperationLogNotFound(operation_log_id=operation_log_id),
        project_id)


def operation_log_update(operation_log_id, values, expected=None):
    return api.update(
        models.OperationLog, operation_log_id, values,
        exception.OperationLogNotFound(operation_log_id=operation_log_id),
        expected)


def operation_log_get_all(**kwargs):
    return api.get_all(models.OperationLog, **kwargs)
