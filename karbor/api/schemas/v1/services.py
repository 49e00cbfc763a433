"""Request schemas of /os-services."""

update = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
        'disabled_reason': {'type': ['string', 'null'], 'maxLength': 255},
    },
    'required': ['status'],
    'additionalProperties': False,
}
