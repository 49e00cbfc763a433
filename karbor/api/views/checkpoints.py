"""Response bodies of /providers/{id}/checkpoints."""

from karbor.api.views import common
from karbor.services.protection import graph

# What python-karborclient decodes before the graph is known.
EMPTY_GRAPH = graph.serialize([])


def checkpoint(row):
    progress, not_copied, _ = common.progress_parts(row.progress)
    return {
        'id': row.id,
        'project_id': row.project_id,
        'provider_id': row.provider_id,
        'status': row.status,
        'status_reason': row.status_reason,
        'protection_plan': row.protection_plan,
        'resource_graph': row.resource_graph or EMPTY_GRAPH,
        'extra_info': row.extra_info,
        # Files and bytes done of total, while it runs and after.
        'progress': progress,
        # Symbolic links are copied; special files and what changed type
        # during the protect are not: how many, and the first paths.
        'not_copied': not_copied,
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
