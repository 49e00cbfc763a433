"""Database functions of the checkpoint index."""

from karbor.common import exception
from karbor.db import api
from karbor.db import ids
from karbor.db import models


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


def checkpoint_get_all(start_date=None, end_date=None, extra_criteria=(),
                       **kwargs):
    criteria = list(extra_criteria)
    if start_date is not None:
        criteria.append(models.Checkpoint.created_at >= start_date)
    if end_date is not None:
        criteria.append(models.Checkpoint.created_at < end_date)
    return api.get_all(models.Checkpoint, extra_criteria=criteria, **kwargs)
