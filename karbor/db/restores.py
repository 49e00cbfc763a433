"""Database functions of restores."""

from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exception
from karbor.db import api
from karbor.db import models


def restore_create(values):
    values = dict(values)
    values.setdefault('id', uuidutils.generate_uuid())
    return api.create(models.Restore, values)


def restore_get(restore_id, project_id=None):
    return api.get_one(models.Restore, restore_id,
                       exception.RestoreNotFound(restore_id=restore_id),
                       project_id)


def restore_update(restore_id, values, expected=None):
    return api.update(models.Restore, restore_id, values,
                      exception.RestoreNotFound(restore_id=restore_id),
                      expected)


def restore_get_all(**kwargs):
    return api.get_all(models.Restore, **kwargs)


def restore_count_running(checkpoint_id):
    """How many restores of ``checkpoint_id`` are still in progress."""
    with api.reader() as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(models.Restore)
            .where(models.Restore.checkpoint_id == checkpoint_id,
                   models.Restore.status ==
                   constants.RESTORE_STATUS_IN_PROGRESS))


def restore_set_resource_status(restore_id, key, status, reason=''):
    """Set one entry of resources_status and resources_reason, under the
    row lock, so that parallel resources do not overwrite each other."""
    with api.writer() as session:
        row = session.get(models.Restore, restore_id, with_for_update=True)
        if row is None:
            raise exception.RestoreNotFound(restore_id=restore_id)
        statuses = dict(row.resources_status or {})
        reasons = dict(row.resources_reason or {})
        statuses[key] = status
        reasons[key] = reason or ''
        row.resources_status = statuses
        row.resources_reason = reasons
