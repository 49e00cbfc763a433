"""Response bodies of /verifications."""

from karbor.api.views import common


def verification(row):
    progress = dict(row.progress or {})
    # The level each resource was checked at, and what a sampled check
    # read and covered: each shown once, under its own name.
    levels = progress.pop('levels', None) or {}
    coverage = progress.pop('coverage', None) or {}
    return {
        'id': row.id,
        'project_id': row.project_id,
        'provider_id': row.provider_id,
        'checkpoint_id': row.checkpoint_id,
        'parameters': row.parameters or {},
        'status': row.status,
        'status_reason': row.status_reason,
        # The names of the specification, once.
        'resource_status': row.resources_status or {},
        'resource_reason': row.resources_reason or {},
        'levels': levels,
        'coverage': coverage,
        'progress': progress,
        'started_at': common.iso(row.started_at),
        'ended_at': common.iso(row.ended_at),
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
