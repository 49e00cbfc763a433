"""Response bodies of /operation_logs."""

from karbor.api.views import common

_FIELDS = ('id', 'project_id', 'operation_type', 'checkpoint_id', 'plan_id',
           'provider_id', 'restore_id', 'verification_id',
           'scheduled_operation_id', 'status', 'error_info', 'extra_info')


def operation_log(row):
    body = {field: getattr(row, field) for field in _FIELDS}
    body['started_at'] = common.iso(row.started_at)
    body['ended_at'] = common.iso(row.ended_at)
    body['created_at'] = common.iso(row.created_at)
    return body
