"""Request schemas of /verifications."""

from karbor.api.schemas.v1 import common

_verification = {
    'type': 'object',
    'properties': {
        'provider_id': common.uuid,
        'checkpoint_id': common.uuid,
        'parameters': common.parameters,
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
})
