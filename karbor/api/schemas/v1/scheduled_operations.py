"""Schemas of /scheduled_operations (listed under ``operations``, as
python-karborclient reads them)."""

from karbor.api.schemas.v1 import common
from karbor.db import scheduled_operations as db
from karbor.services.operationengine import definitions

SORT_KEYS = ('id', 'name', 'created_at', 'operation_type')

_count = {'type': ['integer', 'string'], 'minimum': 1, 'maxLength': 20}

definition = {
    'anyOf': [
        {'type': 'object',
         'properties': {
             'plan_id': common.described(common.uuid, 'The plan.'),
             'provider_id': common.described(common.uuid,
                                             'Its provider.'),
             'max_backups': dict(_count, description=(
                 'retention_protect: the available checkpoints of the plan '
                 'to keep.')),
             'retention_duration': dict(_count, description=(
                 'retention_protect: days to keep a checkpoint.')),
             'level': {'type': 'string',
                       'enum': list(definitions.LEVELS),
                       'description': 'verify: quick or deep; the '
                                      'provider\'s default when absent.'},
             'not_verified_within_days': dict(_count, description=(
                 'verify: every checkpoint of the plan not verified within '
                 'that many days; otherwise the newest.')),
         },
         'required': ['plan_id', 'provider_id'],
         'additionalProperties': False},
        {'type': 'string', 'maxLength': common.MAX_VALUE_LENGTH,
         'description': 'The same as text, ``key=value,key=value`` (the '
                        'form the OSC plugin sends).'},
    ],
    'description': (
        '``plan_id`` and ``provider_id``; ``retention_protect`` adds '
        '``max_backups`` and/or ``retention_duration``; ``verify`` adds '
        '``level`` and optionally ``not_verified_within_days``. Each key '
        'is checked against the operation type (400 saying why).'),
}

create = common.wrapped('scheduled_operation', {
    'type': 'object',
    'properties': {
        'name': common.described(common.name, 'Display name.'),
        'description': common.described(common.description, 'Free text.'),
        'operation_type': {'type': 'string',
                           'enum': list(definitions.TYPES),
                           'description': 'protect, retention_protect or '
                                          'verify.'},
        'trigger_id': common.described(common.uuid,
                                       'The trigger it runs on.'),
        'operation_definition': definition,
        'enabled': {'type': 'boolean',
                    'description': 'Whether it runs (true by default).'},
    },
    'required': ['name', 'operation_type', 'trigger_id',
                 'operation_definition'],
    'additionalProperties': False,
})

update = common.wrapped('scheduled_operation', {
    'type': 'object',
    'properties': {
        'name': common.described(common.name, 'Display name.'),
        'description': common.described(common.description, 'Free text.'),
        'enabled': {'type': 'boolean',
                    'description': 'Pause (false) or resume (true).'},
    },
    'minProperties': 1,
    'additionalProperties': False,
})

index_query = common.list_query(SORT_KEYS, {
    'name': common.filter_string('Only operations of this name.'),
    'operation_type': common.filter_enum(definitions.TYPES,
                                         'Only operations of this type.'),
    'trigger_id': common.filter_uuid('Only operations on this trigger.'),
    'operation_definition': common.filter_string(
        'Only operations whose definition holds these keys and values (a '
        'dictionary, JSON or the Python literal the client sends).'),
})

last_run = {
    'type': ['object', 'null'],
    'description': 'The latest due time of this operation and what came '
                   'of it; null before the first.',
    'properties': {
        'id': {'type': 'string'},
        'due_at': common.timestamp,
        'status': {'type': 'string', 'enum': list(db.RUN_STATUSES)},
        'reason': {'type': ['string', 'null']},
        'started_at': common.timestamp,
        'ended_at': common.timestamp,
        'operation_log_ids': {'type': 'array', 'items': {'type': 'string'}},
        'checkpoint_id': {'type': ['string', 'null']},
        'verification_ids': {'type': 'array',
                             'items': {'type': 'string'}},
    },
    'required': ['id', 'due_at', 'status', 'reason', 'started_at',
                 'ended_at'],
    'additionalProperties': False,
}

scheduled_operation = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'name': {'type': 'string'},
        'description': {'type': ['string', 'null']},
        'operation_type': {'type': 'string',
                           'enum': list(definitions.TYPES)},
        'trigger_id': common.uuid,
        'operation_definition': {'type': 'object'},
        'enabled': {'type': 'boolean'},
        'project_id': {'type': 'string'},
        'last_run': last_run,
        'next_due_at': common.timestamp,
        'created_at': common.timestamp,
        'updated_at': common.timestamp,
    },
    'required': ['id', 'name', 'description', 'operation_type',
                 'trigger_id', 'operation_definition', 'enabled',
                 'project_id', 'last_run', 'next_due_at', 'created_at',
                 'updated_at'],
    'additionalProperties': False,
}

show = common.show('scheduled_operation', scheduled_operation)
index = common.index('operations', scheduled_operation)
