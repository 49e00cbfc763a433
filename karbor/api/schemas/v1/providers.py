"""Schemas of /providers."""

from karbor.api.schemas.v1 import common

index_query = common.list_query(('id', 'name'), {
    'name': common.filter_string('Only the provider of this name.'),
    'description': common.filter_string('Only providers of this '
                                        'description.'),
}, all_tenants=False)

_schemas = {'type': 'object',
            'additionalProperties': {'type': 'object'},
            'description': 'A JSON schema per resource type.'}

provider = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'name': {'type': ['string', 'null']},
        'description': {'type': 'string'},
        'extended_info_schema': {
            'type': 'object',
            'description': 'What the provider accepts, per resource type: '
                           'the parameters of a plan (options_schema), of '
                           'a restore (restore_schema) and of a '
                           'verification (verify_schema), and what a '
                           'checkpoint records (saved_info_schema).',
            'properties': {'options_schema': _schemas,
                           'restore_schema': _schemas,
                           'saved_info_schema': _schemas,
                           'verify_schema': _schemas},
            'required': ['options_schema', 'restore_schema',
                         'saved_info_schema', 'verify_schema'],
        },
        'bank': {
            'type': 'object',
            'description': 'Where the provider keeps its checkpoints: the '
                           'kind of bank (the bank plugin, e.g. '
                           'file_system, swift, s3). Its location and '
                           'credentials are not shown.',
            'properties': {'type': {'type': 'string'}},
            'required': ['type'],
            'additionalProperties': False,
        },
    },
    'required': ['id', 'name', 'description', 'extended_info_schema',
                 'bank'],
    'additionalProperties': False,
}

show = common.show('provider', provider)
index = common.index('providers', provider)
