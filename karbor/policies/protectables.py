"""Policies of /protectables."""

from karbor.policies import base

GET = 'protectable:get'
GET_ALL = 'protectable:get_all'
INSTANCE_GET = 'protectable:instance_get'
INSTANCE_GET_ALL = 'protectable:instance_get_all'

_P = '/v1/{project_id}/protectables'

rules = [
    base.rule(GET, 'Show a protectable type.', 'GET', _P + '/{type}'),
    base.rule(GET_ALL, 'List protectable types.', 'GET', _P),
    base.rule(INSTANCE_GET, 'Show a protectable instance.', 'GET',
              _P + '/{type}/instances/{resource_id}'),
    base.rule(INSTANCE_GET_ALL, 'List the instances of a protectable type.',
              'GET', _P + '/{type}/instances'),
]


def list_rules():
    return rules
