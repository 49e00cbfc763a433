"""Schemas of /restores."""

from karbor.api.schemas.v1 import common
from karbor.common import constants

SORT_KEYS = ('id', 'status', 'created_at')
STATUSES = (constants.RESTORE_STATUS_IN_PROGRESS,
            constants.RESTORE_STATUS_SUCCESS,
            constants.RESTORE_STATUS_FAILURE)

# A top-level key of the parameters, beside the resource types: restore a
# checkpoint whose latest verification failed.
IGNORE_FAILED = 'ignore_failed_verification'

restore_parameters = dict(
    common.parameters,
    properties={IGNORE_FAILED: {
        'type': 'boolean',
        'description': 'Restore even though the latest verification of the '
                       'checkpoint failed (without it: 409 naming the '
                       'resources that failed). Not passed to the '
                       'plugins.'}},
    description='Restore options; each value must fit the provider\'s '
                '``restore_schema`` of its type, and ``%s: true`` restores '
                'a checkpoint whose latest verification failed. ' % (
                    IGNORE_FAILED) + common.parameters['description'])

create = common.wrapped('restore', {
    'type': 'object',
    'properties': {
        'provider_id': common.described(common.uuid,
                                        'The checkpoint\'s provider.'),
        'checkpoint_id': common.described(common.uuid,
                                          'An available checkpoint of '
                                          'the caller\'s project.'),
        'restore_target': {'type': ['string', 'null'],
                           'maxLength': common.MAX_NAME_LENGTH,
                           'description': 'Where to restore, for plugins '
                                          'that use it.'},
        # Sent as null by python-karborclient unless --restore_target;
        # credentials are refused (see the restores controller).
        'restore_auth': {'type': ['object', 'null'], 'maxProperties': 0,
                         'description': 'Refused: send null or {}.'},
        'parameters': restore_parameters,
    },
    'required': ['provider_id', 'checkpoint_id'],
    'additionalProperties': False,
})

# An administrator's reset: to one of the ended states only (a reset
# never starts anything).
RESET_STATES = (constants.RESTORE_STATUS_SUCCESS,
                constants.RESTORE_STATUS_FAILURE)

reset_state = common.wrapped('os-resetState', {
    'type': 'object',
    'properties': {'state': {
        'type': 'string', 'enum': list(RESET_STATES),
        'description': 'The new status. A running restore ends: its '
                       'unfinished resources and its operation log end '
                       'in error.'}},
    'required': ['state'],
    'additionalProperties': False,
})

index_query = common.list_query(SORT_KEYS, {
    'status': common.filter_enum(STATUSES, 'Only restores of this status.'),
    'checkpoint_id': common.filter_uuid('Only restores of this '
                                        'checkpoint.'),
    'provider_id': common.filter_uuid('Only restores of this provider.'),
})

restore = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'project_id': {'type': 'string'},
        'provider_id': common.uuid,
        'checkpoint_id': common.uuid,
        'restore_target': {'type': ['string', 'null']},
        'parameters': {'type': 'object'},
        'status': {'type': 'string', 'enum': list(STATUSES)},
        'status_reason': {'type': ['string', 'null']},
        'resources_status': common.resource_map,
        'resources_reason': common.resource_map,
        'progress': common.progress,
        'restored_to': {'type': 'object',
                        'additionalProperties': {'type': 'string'},
                        'description': 'Where each resource went, keyed '
                                       '``<type>#<id>``.'},
        'not_restored': common.not_copied,
        'checkpoint_verification': {
            'type': ['object', 'null'],
            'description': 'The latest verification of the checkpoint when '
                           'the restore was accepted: its ``id``, '
                           '``level``, ``status`` and ``ended_at`` (all '
                           'null if it was never verified), a ``summary`` '
                           '(``never verified``, ``error (deep, <end>)``) '
                           'and ``failure_ignored`` (a failed one '
                           'overridden with ``%s``). Null on restores '
                           'made before Karbor recorded it.' % IGNORE_FAILED,
            'properties': {
                'id': {'type': ['string', 'null']},
                'level': {'type': ['string', 'null']},
                'status': {'type': ['string', 'null']},
                'ended_at': {'type': ['string', 'null']},
                'summary': {'type': 'string'},
                'failure_ignored': {'type': 'boolean'},
            },
            'required': ['id', 'level', 'status', 'ended_at', 'summary',
                         'failure_ignored'],
            'additionalProperties': False,
        },
        'created_at': common.timestamp,
        'updated_at': common.timestamp,
    },
    'required': ['id', 'project_id', 'provider_id', 'checkpoint_id',
                 'restore_target', 'parameters', 'status', 'status_reason',
                 'resources_status', 'resources_reason', 'progress',
                 'restored_to', 'not_restored', 'checkpoint_verification',
                 'created_at',
                 'updated_at'],
    'additionalProperties': False,
}

show = common.show('restore', restore)
index = common.index('restores', restore)
