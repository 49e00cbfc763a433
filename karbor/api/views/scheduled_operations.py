"""Response bodies of /scheduled_operations."""

from karbor.api.views import common


def last_run(run):
    if run is None:
        return None
    return {
        'id': run.id,
        'due_at': common.iso(run.due_at),
        'status': run.status,
        'reason': run.reason,
        'started_at': common.iso(run.started_at),
        'ended_at': common.iso(run.ended_at),
        'operation_log_ids': list(run.operation_log_ids or []),
        'checkpoint_id': run.checkpoint_id,
        'verification_ids': list(run.verification_ids or []),
    }


def scheduled_operation(row, run=None, next_due_at=None):
    return {
        'id': row.id,
        'name': row.name,
        'description': row.description,
        'operation_type': row.operation_type,
        'trigger_id': row.trigger_id,
        'operation_definition': row.operation_definition,
        'enabled': bool(row.enabled),
        'project_id': row.project_id,
        'last_run': last_run(run),
        'next_due_at': common.iso(next_due_at) if row.enabled else None,
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
