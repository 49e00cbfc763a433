"""Quotas: limits of plans and checkpoints per project, and creates that
respect them without races.

A project's limit of a resource is, in order: its own (set by an
administrator), the ``default`` quota class's, the ``[quota]`` option.
-1 is unlimited. A counted create locks the project's row of
``quota_locks`` (SELECT ... FOR UPDATE; SQLite's immediate transactions
hold the whole database), counts, and inserts in the same transaction:
two creates at the limit, whatever the process, happen one after the
other, and the second sees the first.
"""

from oslo_config import cfg
from oslo_db import exception as db_exc
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exception
from karbor.db import api
from karbor.db import models

CONF = cfg.CONF

PLANS = 'plans'
CHECKPOINTS = 'checkpoints'
RESOURCES = (PLANS, CHECKPOINTS)
DEFAULT_CLASS = 'default'
UNLIMITED = -1


def _counted(resource, project_id):
    """The SQL count of ``resource`` rows of the project."""
    if resource == PLANS:
        model = models.Plan
        where = [model.project_id == project_id]
    else:
        model = models.Checkpoint
        where = [model.project_id == project_id,
                 model.status != constants.CHECKPOINT_STATUS_DELETED]
    return sa.select(sa.func.count()).select_from(model).where(*where)


def _rows(session, model, key, value):
    return {r.resource: r.hard_limit for r in session.scalars(
        sa.select(model).where(getattr(model, key) == value))}


def class_limits(class_name=DEFAULT_CLASS):
    """{resource: limit} of a quota class: its rows over the options."""
    with api.reader() as session:
        rows = _rows(session, models.QuotaClass, 'class_name', class_name)
    return {r: rows.get(r, getattr(CONF.quota, r)) for r in RESOURCES}


def limits(project_id):
    """{resource: limit} of a project."""
    defaults = class_limits()
    with api.reader() as session:
        rows = _rows(session, models.Quota, 'project_id', project_id)
    return {r: rows.get(r, defaults[r]) for r in RESOURCES}


def usage(project_id):
    """{resource: how many the project has}."""
    with api.reader() as session:
        return {r: session.scalar(_counted(r, project_id))
                for r in RESOURCES}


@api.retry_on_deadlock
def _set(model, key, value, new_limits):
    with api.writer() as session:
        existing = {r.resource: r for r in session.scalars(
            sa.select(model).where(getattr(model, key) == value))}
        for resource, limit in new_limits.items():
            if resource in existing:
                existing[resource].hard_limit = limit
            else:
                session.add(model(**{key: value, 'resource': resource,
                                     'hard_limit': limit}))


def set_limits(project_id, new_limits):
    """Set some of a project's limits."""
    _set(models.Quota, 'project_id', project_id, new_limits)


def set_class_limits(class_name, new_limits):
    _set(models.QuotaClass, 'class_name', class_name, new_limits)


def _ensure_lock_row(project_id):
    """The project's lock row exists (made once, in its own
    transaction; a concurrent maker's duplicate is fine)."""
    with api.reader() as session:
        if session.get(models.QuotaLock, project_id) is not None:
            return
    try:
        with api.writer() as session:
            session.add(models.QuotaLock(project_id=project_id))
    except db_exc.DBDuplicateEntry:
        pass


def check_in_session(session, project_id, resource):
    """Under the project's lock (taken here, held until ``session``
    ends): raise QuotaExceeded if one more ``resource`` would pass the
    project's limit."""
    session.get(models.QuotaLock, project_id, with_for_update=True,
                populate_existing=True)
    limit = limits(project_id)[resource]
    if limit == UNLIMITED:
        return
    used = session.scalar(_counted(resource, project_id))
    if used + 1 > limit:
        raise exception.QuotaExceeded(
            reason='quota exceeded: %s of project %s is limited to %d and '
                   '%d are in use; delete some, or ask an administrator '
                   'to raise it (karbor quota-update %s --%s N)' % (
                       resource, project_id, limit, used, project_id,
                       resource))


@api.retry_on_deadlock
def create_within_quota(model, values, resource):
    """Insert a ``model`` row of ``values`` if the project's quota of
    ``resource`` allows one more; the row (expunged)."""
    project_id = values['project_id']
    _ensure_lock_row(project_id)
    with api.writer() as session:
        check_in_session(session, project_id, resource)
        row = model(**values)
        session.add(row)
        session.flush()
        session.expunge(row)
        return row
