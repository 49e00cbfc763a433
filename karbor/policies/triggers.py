"""Policies of /triggers."""

from karbor.policies import base

CREATE = 'karbor:trigger:create'
UPDATE = 'karbor:trigger:update'
DELETE = 'karbor:trigger:delete'
GET = 'karbor:trigger:get'
GET_ALL = 'karbor:trigger:list'

_P = '/v1/{project_id}/triggers'

rules = [
    base.member(CREATE, 'Create a trigger.', 'POST', _P, 'trigger:create'),
    base.member(UPDATE, 'Change a trigger.', 'PUT', _P + '/{trigger_id}',
                'trigger:update'),
    base.member(DELETE, 'Delete a trigger.', 'DELETE',
                _P + '/{trigger_id}', 'trigger:delete'),
    base.reader(GET, 'Show a trigger.', 'GET', _P + '/{trigger_id}',
                'trigger:get'),
    base.reader(GET_ALL, 'List triggers.', 'GET', _P, 'trigger:list'),
]


def list_rules():
    return rules
