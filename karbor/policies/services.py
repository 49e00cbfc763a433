"""Policies of /os-services."""

from karbor.policies import base

GET_ALL = 'karbor:service:get_all'
UPDATE = 'karbor:service:update'

_P = '/v1/{project_id}/os-services'

rules = [
    base.admin(GET_ALL, 'List the Karbor services and their state, or show '
               'one.', [('GET', _P), ('GET', _P + '/{service_id}')],
               'service:get_all'),
    base.admin(UPDATE, 'Enable or disable a Karbor service.',
               [('PUT', _P + '/{service_id}')], 'service:update'),
]


def list_rules():
    return rules
