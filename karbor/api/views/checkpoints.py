"""Response bodies of /providers/{id}/checkpoints."""

from karbor.api.views import common
from karbor.services.protection import graph

# What python-karborclient decodes before the graph is known.
EMPTY_GRAPH = graph.serialize([])


def _level(verification):
    """The level a verification checked at: the one of every resource,
    'mixed', or the one asked for while none is known."""
    levels = set(((verification.progress or {}).get('levels') or {})
                 .values())
    if not levels:
        levels = {v.get('level') for v in
                  (verification.parameters or {}).values()
                  if isinstance(v, dict) and v.get('level')}
    if len(levels) > 1:
        return 'mixed'
    return levels.pop() if levels else None


def verification(row):
    """The latest verification of a checkpoint, or None."""
    if row is None:
        return None
    return {'id': row.id, 'level': _level(row), 'status': row.status,
            'ended_at': common.iso(row.ended_at)}


def summary(latest):
    """One line: 'never verified', or 'error (deep, <ended at>)'."""
    if latest is None:
        return 'never verified'
    return '%s (%s%s)' % (latest['status'], latest['level'] or 'default',
                          ', %s' % latest['ended_at']
                          if latest['ended_at'] else '')


def checkpoint(row, latest_verification=None):
    progress, not_copied, _ = common.progress_parts(row.progress)
    latest = verification(latest_verification)
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
        # The latest verification; "metadata" is the column the karbor
        # shell's checkpoint-list prints.
        'verification': latest,
        'metadata': {'verification': summary(latest)},
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
