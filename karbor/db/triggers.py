"""Database functions of triggers."""

from oslo_db import exception as db_exc
import sqlalchemy as sa

from karbor.common import exception
from karbor.db import api
from karbor.db import ids
from karbor.db import models


def _not_found(trigger_id):
    return exception.TriggerNotFound(trigger_id=trigger_id)


def trigger_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return api.create(models.Trigger, values)


def trigger_get(trigger_id, project_id=None):
    return api.get_one(models.Trigger, trigger_id, _not_found(trigger_id),
                       project_id)


def trigger_update(trigger_id, values):
    return api.update(models.Trigger, trigger_id, values,
                      _not_found(trigger_id))


def trigger_users(trigger_id):
    """Ids of the scheduled operations that run on ``trigger_id``."""
    with api.reader() as session:
        return list(session.scalars(
            sa.select(models.ScheduledOperation.id).where(
                models.ScheduledOperation.trigger_id == trigger_id)))


def trigger_delete(trigger_id):
    """Delete a trigger no scheduled operation uses; Conflict (409)
    naming them otherwise. The foreign key of scheduled operations closes
    the race with a concurrent create."""
    users = trigger_users(trigger_id)
    if users:
        raise exception.InvalidState(
            reason='trigger %s is used by scheduled operation(s) %s; delete '
                   'them first' % (trigger_id, ', '.join(users)))
    try:
        api.delete(models.Trigger, trigger_id, _not_found(trigger_id))
    except db_exc.DBReferenceError:
        raise exception.InvalidState(
            reason='trigger %s is used by a scheduled operation created '
                   'meanwhile; delete it first' % trigger_id)


def trigger_get_all(**kwargs):
    return api.get_all(models.Trigger, **kwargs)
