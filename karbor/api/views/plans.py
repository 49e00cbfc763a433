"""Response bodies of /plans."""

from karbor.api.views import common


def plan(row):
    return {
        'id': row.id,
        'name': row.name,
        'description': row.description,
        'provider_id': row.provider_id,
        'project_id': row.project_id,
        'status': row.status,
        'resources': row.resources,
        'parameters': row.parameters,
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
