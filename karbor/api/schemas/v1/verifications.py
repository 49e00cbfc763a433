"""Schemas of /verifications."""

from karbor.api.schemas.v1 import common
from karbor.common import constants

SORT_KEYS = ('id', 'status', 'created_at', 'updated_at')
STATUSES = (constants.VERIFICATION_STATUS_VERIFYING,
            constants.VERIFICATION_STATUS_SUCCESS,
            constants.VERIFICATION_STATUS_ERROR)

_verification = {
    'type': 'object',
    'properties': {
        'provider_id': common.described(common.uuid,
                                        'The checkpoint\'s provider.'),
        'checkpoint_id': common.described(common.uuid,
                                          'An available checkpoint of '
                                          'the caller\'s project.'),
        'parameters': common.described(
            common.parameters,
            'Verify options, such as ``{"level": "deep"}``; each value '
            'must fit the provider\'s ``verify_schema`` of its type. ' +
            common.parameters['description']),
    },
    'required': ['provider_id', 'checkpoint_id'],
    'additionalProperties': False,
}

# The seed spec wraps the verification in a one-element list; both forms
# are accepted.
create = common.wrapped('verification', {
    'oneOf': [
        _verification,
        {'type': 'array', 'items': _verification,
         'minItems': 1, 'maxItems': 1},
    ],
    'description': 'The verification, or a list of exactly one.',
})

# An administrator's reset: to one of the ended states only (a reset
# never starts anything).
RESET_STATES = (constants.VERIFICATION_STATUS_SUCCESS,
                constants.VERIFICATION_STATUS_ERROR)

reset_state = common.wrapped('os-resetState', {
    'type': 'object',
    'properties': {'state': {
        'type': 'string', 'enum': list(RESET_STATES),
        'description': 'The new status. A running verification ends: its '
                       'unfinished resources and its operation log end '
                       'in error.'}},
    'required': ['state'],
    'additionalProperties': False,
})

index_query = common.list_query(SORT_KEYS, {
    'status': common.filter_enum(STATUSES,
                                 'Only verifications of this status.'),
    'checkpoint_id': common.filter_uuid('Only verifications of this '
                                        'checkpoint.'),
    'provider_id': common.filter_uuid('Only verifications of this '
                                      'provider.'),
})

_statuses = {'type': 'object',
             'additionalProperties': {'type': 'string',
                                      'enum': list(STATUSES)},
             'description': 'Status of each resource, keyed '
                            '``<type>#<id>``.'}
_reasons = {'type': 'object',
            'additionalProperties': {'type': 'string'},
            'description': 'Why a resource is in error (empty when it is '
                           'not), keyed ``<type>#<id>``.'}

verification = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'project_id': {'type': 'string'},
        'provider_id': common.uuid,
        'checkpoint_id': common.uuid,
        'parameters': {'type': 'object'},
        'status': {'type': ['string', 'null'], 'enum': list(STATUSES) +
                   [None]},
        'status_reason': {'type': ['string', 'null']},
        'resource_status': _statuses,
        'resource_reason': _reasons,
        'levels': {'type': 'object',
                   'additionalProperties': {'type': 'string'},
                   'description': 'The level each resource was checked '
                                  'at (quick, sample, deep), keyed '
                                  '``<type>#<id>``.'},
        'coverage': {'type': 'object',
                     'description': 'Of a sampled verification: the '
                                    'objects and bytes read, and the '
                                    'share of the checkpoint covered by '
                                    'the sampled verifications so far.'},
        'progress': {'type': 'object',
                     'description': 'How far it got, while it runs.'},
        'started_at': common.timestamp,
        'ended_at': common.timestamp,
        'created_at': common.timestamp,
        'updated_at': common.timestamp,
    },
    'required': ['id', 'project_id', 'provider_id', 'checkpoint_id',
                 'parameters', 'status', 'resource_status',
                 'resource_reason', 'levels', 'coverage', 'created_at',
                 'updated_at'],
    'additionalProperties': False,
}

show = common.show('verification', verification)
index = common.index('verifications', verification)
