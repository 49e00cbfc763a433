"""Policies of /restores."""

from karbor.policies import base

CREATE = 'karbor:restore:create'
GET = 'karbor:restore:get'
GET_ALL = 'karbor:restore:get_all'
RESET_STATE = 'karbor:restore:reset_state'

_P = '/v1/{project_id}/restores'

rules = [
    base.member(CREATE, 'Restore a checkpoint.', 'POST', _P,
                'restore:create'),
    base.reader(GET, 'Show a restore.', 'GET', _P + '/{restore_id}',
                'restore:get'),
    base.reader(GET_ALL, 'List restores.', 'GET', _P, 'restore:get_all'),
    base.admin(RESET_STATE, 'Reset the state of a restore (os-resetState), '
               'e.g. to end one left running by a lost worker.',
               [('PUT', _P + '/{restore_id}')]),
]


def list_rules():
    return rules
