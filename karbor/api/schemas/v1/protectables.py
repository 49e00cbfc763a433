"""Schemas of /protectables."""

from karbor.api.schemas.v1 import common

_parameters = {'type': 'string',
               'maxLength': common.MAX_QUERY_DICT_LENGTH,
               'description': 'Options of the protectable, as a dict in '
                              'JSON or Python literal form, such as '
                              '``{\'path\': \'/srv/data\'}``.'}

instances_query = common.list_query(('id', 'name'), {
    'parameters': _parameters,
    'type': common.filter_string('Only instances of this type.'),
    'name': common.filter_string('Only instances of this name.'),
}, all_tenants=False)

instance_query = {'type': 'object',
                  'properties': {'parameters': _parameters},
                  'additionalProperties': False}

index_query = {'type': 'object', 'properties': {},
               'additionalProperties': False}

instance = dict(common.resource_out, properties=dict(
    common.resource_out['properties'],
    dependent_resources={'type': 'array', 'items': common.resource_out}),
    required=['id', 'type', 'name', 'extra_info', 'dependent_resources'],
    additionalProperties=False)

index = {'type': 'object',
         'properties': {'protectable_type': {'type': 'array',
                                             'items': {'type': 'string'}}},
         'required': ['protectable_type'], 'additionalProperties': False}

show = common.show('protectable_type', {
    'type': 'object',
    'properties': {'name': {'type': 'string'},
                   'dependent_types': {'type': 'array',
                                       'items': {'type': 'string'}}},
    'required': ['name', 'dependent_types'],
    'additionalProperties': False})

instances = common.index('instances', instance)
show_instance = common.show('instance', instance)
