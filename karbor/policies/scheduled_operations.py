"""Policies of /scheduled_operations."""

from karbor.policies import base

CREATE = 'karbor:scheduled_operation:create'
UPDATE = 'karbor:scheduled_operation:update'
DELETE = 'karbor:scheduled_operation:delete'
GET = 'karbor:scheduled_operation:get'
GET_ALL = 'karbor:scheduled_operation:list'

_P = '/v1/{project_id}/scheduled_operations'
_ONE = _P + '/{scheduled_operation_id}'

rules = [
    base.member(CREATE, 'Schedule an operation.', 'POST', _P,
                'scheduled_operation:create'),
    base.member(UPDATE, 'Rename, pause or resume a scheduled operation.',
                'PUT', _ONE),
    base.member(DELETE, 'Delete a scheduled operation.', 'DELETE', _ONE,
                'scheduled_operation:delete'),
    base.reader(GET, 'Show a scheduled operation.', 'GET', _ONE,
                'scheduled_operation:get'),
    base.reader(GET_ALL, 'List scheduled operations.', 'GET', _P,
                'scheduled_operation:list'),
]


def list_rules():
    return rules
