"""Policies of /protectables."""

from karbor.policies import base

GET = 'karbor:protectable:get'
GET_ALL = 'karbor:protectable:get_all'
INSTANCE_GET = 'karbor:protectable:instance_get'
INSTANCE_GET_ALL = 'karbor:protectable:instance_get_all'

_P = '/v1/{project_id}/protectables'

rules = [
    base.reader(GET, 'Show a protectable type.', 'GET', _P + '/{type}',
                'protectable:get'),
    base.reader(GET_ALL, 'List protectable types.', 'GET', _P,
                'protectable:get_all'),
    base.reader(INSTANCE_GET, 'Show a protectable instance.', 'GET',
                _P + '/{type}/instances/{resource_id}',
                'protectable:instance_get'),
    base.reader(INSTANCE_GET_ALL, 'List the instances of a protectable '
                'type.', 'GET', _P + '/{type}/instances',
                'protectable:instance_get_all'),
]


def list_rules():
    return rules
