"""Schema pieces shared by several resources."""

uuid = {'type': 'string', 'format': 'uuid'}

name = {'type': 'string', 'minLength': 1, 'maxLength': 255}

description = {'type': ['string', 'null'], 'maxLength': 255}

# Parameters keyed by resource type or "<type>#<id>", each an object.
parameters = {
    'type': 'object',
    'propertyNames': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                      'pattern': '^[^#]+(#[^#]+)?$'},
    'additionalProperties': {'type': 'object'},
}

resource = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'name': {'type': 'string', 'maxLength': 255},
        'extra_info': {'type': ['object', 'null']},
    },
    'required': ['id', 'type'],
    'additionalProperties': False,
}


def wrapped(key, inner):
    """``{key: inner}`` and nothing else."""
    return {'type': 'object', 'properties': {key: inner},
            'required': [key], 'additionalProperties': False}
