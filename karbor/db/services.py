"""Database functions of the services table (heartbeats)."""

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import exception
from karbor.db import api
from karbor.db import models

# Bumped by every write of this process to the services table: what was
# learnt from it before (handover's "is a protection service up?") is
# looked at again.
generation = 0


def _written():
    global generation
    generation += 1


def forget_learnt():
    """Another database (tests): what was learnt of the last is stale."""
    _written()


def service_get(service_id):
    with api.reader() as session:
        row = session.get(models.Service, service_id)
        if row is None:
            raise exception.ServiceNotFound(service_id=service_id)
        session.expunge(row)
        return row


def service_get_all(host=None, binary=None):
    query = sa.select(models.Service).order_by(models.Service.id)
    if host:
        query = query.where(models.Service.host == host)
    if binary:
        query = query.where(models.Service.binary == binary)
    with api.reader() as session:
        rows = session.scalars(query).all()
        for row in rows:
            session.expunge(row)
        return rows


def service_report(host, binary, topic=None):
    """Record a heartbeat, creating the service row on the first one."""
    for _attempt in range(2):
        try:
            return _service_report(host, binary, topic)
        except db_exc.DBDuplicateEntry:
            # Another process of the same host and binary created the row
            # between our read and our insert: update that one instead.
            continue
    return _service_report(host, binary, topic)


@api.retry_on_deadlock
def _service_report(host, binary, topic):
    with api.writer() as session:
        row = session.scalars(sa.select(models.Service).where(
            models.Service.host == host,
            models.Service.binary == binary)).first()
        if row is None:
            row = models.Service(host=host, binary=binary,
                                 report_count=0, disabled=False)
            session.add(row)
        row.report_count = (row.report_count or 0) + 1
        row.last_heartbeat = timeutils.utcnow()
        row.topic = topic
        session.flush()
        session.expunge(row)
        return row


@api.retry_on_deadlock
def service_update(service_id, values):
    with api.writer() as session:
        row = session.get(models.Service, service_id)
        if row is None:
            raise exception.ServiceNotFound(service_id=service_id)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        session.expunge(row)
    _written()
    return row
