"""Request schemas of /plans."""

from karbor.api.schemas.v1 import common

create = common.wrapped('plan', {
    'type': 'object',
    'properties': {
        'name': common.name,
        'description': common.description,
        'provider_id': common.uuid,
        'resources': {'type': 'array', 'minItems': 1,
                      'items': common.resource},
        'parameters': common.parameters,
    },
    'required': ['name', 'provider_id', 'resources'],
    'additionalProperties': False,
})

update = common.wrapped('plan', {
    'type': 'object',
    'properties': {
        'name': common.name,
        'description': common.description,
        'resources': {'type': 'array', 'minItems': 1,
                      'items': common.resource},
        'parameters': common.parameters,
        'status': {'type': 'string', 'enum': ['suspended', 'started']},
    },
    'minProperties': 1,
    'additionalProperties': False,
})
