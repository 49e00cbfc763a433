"""Request schemas of /restores."""

from karbor.api.schemas.v1 import common

create = common.wrapped('restore', {
    'type': 'object',
    'properties': {
        'provider_id': common.uuid,
        'checkpoint_id': common.uuid,
        'restore_target': {'type': ['string', 'null'], 'maxLength': 255},
        # Sent as null by python-karborclient unless --restore_target;
        # credentials are refused (see the restores controller).
        'restore_auth': {'type': ['object', 'null'], 'maxProperties': 0},
        'parameters': common.parameters,
    },
    'required': ['provider_id', 'checkpoint_id'],
    'additionalProperties': False,
})
