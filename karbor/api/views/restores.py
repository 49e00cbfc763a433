"""Response bodies of /restores."""

from karbor.api.views import common


def restore(row):
    progress, not_restored, places = common.progress_parts(row.progress)
    return {
        'id': row.id,
        'project_id': row.project_id,
        'provider_id': row.provider_id,
        'checkpoint_id': row.checkpoint_id,
        'restore_target': row.restore_target,
        'parameters': row.parameters,
        'status': row.status,
        'status_reason': row.status_reason,
        'resources_status': row.resources_status or {},
        'resources_reason': row.resources_reason or {},
        'progress': progress,
        # Where each resource went ("<type>#<id>": name), and what could
        # not be restored as it was (setuid bits...).
        'restored_to': places,
        'not_restored': not_restored,
        # The checkpoint's latest verification when it was accepted.
        'checkpoint_verification': row.checkpoint_verification,
        'created_at': common.iso(row.created_at),
        'updated_at': common.iso(row.updated_at),
    }
