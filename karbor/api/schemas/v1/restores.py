"""Request schemas of /restores."""

from karbor.api.schemas.v1 import common

create = common.wrapped('restore', {
    'type': 'object',
    'properties': {
        'provider_id': common.uuid,
        'checkpoint_id': common.uuid,
        'restore_target': {'type': ['string', 'null'], 'maxLength': 255},
        'restore_auth': {
            'type': ['object', 'null'],
            'properties': {
                'type': {'type': 'string', 'enum': ['password']},
                'username': {'type': 'string', 'maxLength': 255},
                'password': {'type': 'string', 'maxLength': 255},
            },
            'additionalProperties': False,
        },
        'parameters': common.parameters,
    },
    'required': ['provider_id', 'checkpoint_id'],
    'additionalProperties': False,
})
