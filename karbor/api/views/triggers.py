"""Response bodies of /triggers."""

from oslo_utils import timeutils

from karbor.api.views import common
from karbor.services.operationengine import schedule


def next_due(properties, after=None):
    try:
        return schedule.Schedule(properties).next_after(
            after or timeutils.utcnow())
    except Exception:
        # A trigger that fires no more (or whose zone data vanished)
        # shows no next due time.
        return None


def trigger(row):
    return {
        'id': row.id,
        'name': row.name,
        'type': row.type,
        'properties': row.properties,
        'project_id': row.project_id,
        'next_due_at': common.iso(next_due(row.properties)),
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
