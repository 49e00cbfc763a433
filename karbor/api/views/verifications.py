"""Response bodies of /verifications."""

from karbor.api.views import common


def verification(row):
    statuses = row.resources_status or {}
    reasons = row.resources_reason or {}
    return {
        'id': row.id,
        'project_id': row.project_id,
        'provider_id': row.provider_id,
        'checkpoint_id': row.checkpoint_id,
        'parameters': row.parameters or {},
        'status': row.status,
        'status_reason': row.status_reason,
        # The names of the seed spec, and those python-karborclient
        # formats as JSON.
        'resource_status': statuses,
        'resource_reason': reasons,
        'resources_status': statuses,
        'resources_reason': reasons,
        'progress': row.progress or {},
        'started_at': common.iso(row.started_at),
        'ended_at': common.iso(row.ended_at),
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
