"""Policies of /restores."""

from karbor.policies import base

CREATE = 'restore:create'
GET = 'restore:get'
GET_ALL = 'restore:get_all'

_P = '/v1/{project_id}/restores'

rules = [
    base.rule(CREATE, 'Restore a checkpoint.', 'POST', _P),
    base.rule(GET, 'Show a restore.', 'GET', _P + '/{restore_id}'),
    base.rule(GET_ALL, 'List restores.', 'GET', _P),
]


def list_rules():
    return rules
