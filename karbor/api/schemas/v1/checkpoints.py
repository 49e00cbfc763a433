"""Schemas of /providers/{provider_id}/checkpoints."""

from karbor.api.schemas.v1 import common
from karbor.common import constants
from karbor.db import checkpoint_verifications

SORT_KEYS = ('id', 'status', 'created_at', 'plan_id')
STATUSES = (constants.CHECKPOINT_STATUS_PROTECTING,
            constants.CHECKPOINT_STATUS_AVAILABLE,
            constants.CHECKPOINT_STATUS_ERROR,
            constants.CHECKPOINT_STATUS_DELETING,
            constants.CHECKPOINT_STATUS_ERROR_DELETING)

_extra_info = {
    'type': ['object', 'null'],
    'maxProperties': common.MAX_OBJECT_KEYS,
    'propertyNames': {'maxLength': common.MAX_NAME_LENGTH},
    'additionalProperties': {
        'type': ['string', 'number', 'boolean', 'null'],
        'maxLength': common.MAX_VALUE_LENGTH},
    'description': 'Metadata kept with the checkpoint: at most %d keys, '
                   'each a number, a boolean, null or a string of at most '
                   '%d characters.' % (common.MAX_OBJECT_KEYS,
                                       common.MAX_VALUE_LENGTH),
}

create = common.wrapped('checkpoint', {
    'type': 'object',
    'properties': {
        'plan_id': common.described(common.uuid,
                                    'The plan to protect, of this '
                                    'provider.'),
        # python-karborclient spells it with a hyphen; the api-ref did not.
        'extra-info': _extra_info,
        'extra_info': common.described(_extra_info,
                                       'Same as ``extra-info``.'),
    },
    'required': ['plan_id'],
    'additionalProperties': False,
})

reset_state = common.wrapped('os-resetState', {
    'type': 'object',
    'properties': {'state': {'type': 'string',
                             'enum': ['available', 'error'],
                             'description': 'The new status.'}},
    'required': ['state'],
    'additionalProperties': False,
})

index_query = common.list_query(SORT_KEYS, {
    'plan_id': common.filter_uuid('Only checkpoints of this plan.'),
    'start_date': {'type': 'string', 'format': 'date',
                   'description': 'Only checkpoints created on this day '
                                  '(YYYY-MM-DD, UTC) or later.'},
    'end_date': {'type': 'string', 'format': 'date',
                 'description': 'Only checkpoints created on this day '
                                '(YYYY-MM-DD, UTC) or earlier.'},
    'status': common.filter_enum(STATUSES,
                                 'Only checkpoints of this status.'),
    'verification': common.filter_enum(
        checkpoint_verifications.STATES,
        'Only checkpoints whose latest verification is: never (none), '
        'verified (success), failed (error), verifying.'),
})

verification = {
    'type': ['object', 'null'],
    'description': 'The latest verification of the checkpoint (null: '
                   'never verified): its id, level (quick, deep, sample, '
                   'mixed; null for the provider\'s default while it '
                   'runs), status and end.',
    'properties': {
        'id': common.uuid,
        'level': {'type': ['string', 'null']},
        'status': {'type': ['string', 'null']},
        'ended_at': common.timestamp,
    },
    'required': ['id', 'level', 'status', 'ended_at'],
    'additionalProperties': False,
}

checkpoint = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'project_id': {'type': 'string'},
        'provider_id': common.uuid,
        'status': {'type': 'string',
                   'enum': list(STATUSES) +
                   [constants.CHECKPOINT_STATUS_DELETED]},
        'status_reason': {'type': ['string', 'null']},
        'protection_plan': {
            'type': 'object',
            'properties': {
                'id': common.uuid,
                'name': {'type': 'string'},
                'resources': {'type': 'array',
                              'items': common.resource_out},
            },
            'required': ['id', 'name', 'resources'],
        },
        'resource_graph': {'type': 'string',
                           'description': 'The resources and their '
                                          'dependencies, JSON-encoded.'},
        'extra_info': {'type': ['object', 'null']},
        'progress': common.progress,
        'not_copied': common.not_copied,
        'verification': verification,
        'metadata': {'type': 'object',
                     'description': 'What the karbor shell prints in '
                                    'checkpoint-list: the latest '
                                    'verification in words.'},
        'created_at': common.timestamp,
        'updated_at': common.timestamp,
    },
    'required': ['id', 'project_id', 'provider_id', 'status',
                 'status_reason', 'protection_plan', 'resource_graph',
                 'extra_info', 'progress', 'not_copied', 'verification',
                 'metadata', 'created_at', 'updated_at'],
    'additionalProperties': False,
}

show = common.show('checkpoint', checkpoint)
index = common.index('checkpoints', checkpoint)
