"""Database functions of the checkpoint index."""

from oslo_utils import timeutils

from karbor.common import constants
from karbor.common import exception
from karbor.db import api
from karbor.db import ids
from karbor.db import models
from karbor.db import operation_logs


def checkpoint_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return api.create(models.Checkpoint, values)


def checkpoint_get(checkpoint_id, project_id=None, provider_id=None):
    row = api.get_one(
        models.Checkpoint, checkpoint_id,
        exception.CheckpointNotFound(checkpoint_id=checkpoint_id),
        project_id)
    if provider_id is not None and row.provider_id != provider_id:
        raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
    return row


def checkpoint_update(checkpoint_id, values, expected=None):
    return api.update(
        models.Checkpoint, checkpoint_id, values,
        exception.CheckpointNotFound(checkpoint_id=checkpoint_id), expected)


def checkpoint_get_all(start_date=None, end_date=None, **kwargs):
    criteria = []
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
    return api.end_with_log(
        models.Checkpoint, checkpoint_id, running, values, operation_log_id,
        operation_logs.ended((reason or status) if failed else None,
                             timeutils.utcnow()),
        exception.CheckpointNotFound(checkpoint_id=checkpoint_id))
