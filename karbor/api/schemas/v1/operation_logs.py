"""Schemas of /operation_logs."""

from karbor.api.schemas.v1 import common
from karbor.common import constants

SORT_KEYS = ('id', 'status', 'created_at', 'operation_type')
OPERATIONS = tuple(sorted(constants.OPERATION_LOG_STATUS_RUNNING))

index_query = common.list_query(SORT_KEYS, {
    'checkpoint_id': common.filter_uuid('Only operations on this '
                                        'checkpoint.'),
    'plan_id': common.filter_uuid('Only operations of this plan.'),
    'restore_id': common.filter_uuid('Only the operation of this restore.'),
    'verification_id': common.filter_uuid('Only the operation of this '
                                          'verification.'),
    'provider_id': common.filter_uuid('Only operations of this provider.'),
    'status': common.filter_string('Only operations of this status.'),
    'operation_type': common.filter_enum(OPERATIONS,
                                         'Only operations of this type.'),
})

_optional_id = {'type': ['string', 'null']}

operation_log = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'project_id': {'type': 'string'},
        'operation_type': {'type': 'string', 'enum': list(OPERATIONS)},
        'checkpoint_id': _optional_id,
        'plan_id': _optional_id,
        'provider_id': _optional_id,
        'restore_id': _optional_id,
        'verification_id': _optional_id,
        'scheduled_operation_id': _optional_id,
        'status': {'type': 'string'},
        'error_info': {'type': ['string', 'null']},
        'extra_info': {'type': ['object', 'null']},
        'started_at': common.timestamp,
        'ended_at': common.timestamp,
        'created_at': common.timestamp,
    },
    'required': ['id', 'project_id', 'operation_type', 'status',
                 'started_at', 'ended_at', 'created_at'],
    'additionalProperties': False,
}

show = common.show('operation_log', operation_log)
index = common.index('operation_logs', operation_log)
