"""Schemas of /plans."""

from karbor.api.schemas.v1 import common
from karbor.common import constants

SORT_KEYS = ('id', 'name', 'status', 'created_at')
STATUSES = (constants.PLAN_STATUS_SUSPENDED, constants.PLAN_STATUS_STARTED)

_resources = {
    'type': 'array', 'minItems': 1,
    'maxItems': common.MAX_PLAN_RESOURCES,
    'items': common.resource,
    'description': 'What to protect: at most %d resources, each listed '
                   'once, of types the provider protects.' %
                   common.MAX_PLAN_RESOURCES,
}

create = common.wrapped('plan', {
    'type': 'object',
    'properties': {
        'name': common.described(common.name, 'Display name.'),
        'description': common.described(common.description,
                                        'Free text.'),
        'provider_id': common.described(common.uuid,
                                        'The provider that protects the '
                                        'resources.'),
        'resources': _resources,
        'parameters': common.described(
            common.parameters,
            'Protect options; each value must fit the provider\'s '
            '``options_schema`` of its type. ' +
            common.parameters['description']),
    },
    'required': ['name', 'provider_id', 'resources'],
    'additionalProperties': False,
})

update = common.wrapped('plan', {
    'type': 'object',
    'properties': {
        'name': common.described(common.name, 'Display name.'),
        'description': common.described(common.description,
                                        'Free text.'),
        'resources': _resources,
        'parameters': create['properties']['plan']['properties'][
            'parameters'],
        'status': {'type': 'string', 'enum': list(STATUSES),
                   'description': 'suspended or started.'},
    },
    'minProperties': 1,
    'additionalProperties': False,
})

index_query = common.list_query(SORT_KEYS, {
    'name': common.filter_string('Only plans of this name.'),
    'description': common.filter_string('Only plans of this '
                                        'description.'),
    'status': common.filter_enum(STATUSES, 'Only plans of this status.'),
    'provider_id': common.filter_uuid('Only plans of this provider.'),
})

plan = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'name': {'type': 'string'},
        'description': {'type': ['string', 'null']},
        'provider_id': common.uuid,
        'project_id': {'type': 'string'},
        'status': {'type': 'string', 'enum': list(STATUSES)},
        'resources': {'type': 'array', 'items': common.resource_out},
        'parameters': {'type': 'object'},
        'created_at': common.timestamp,
        'updated_at': common.timestamp,
    },
    'required': ['id', 'name', 'description', 'provider_id', 'project_id',
                 'status', 'resources', 'parameters', 'created_at',
                 'updated_at'],
    'additionalProperties': False,
}

show = common.show('plan', plan)
index = common.index('plans', plan)
