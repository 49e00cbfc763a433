"""Policies of /providers and their checkpoints."""

from karbor.policies import base

GET = 'karbor:provider:get'
GET_ALL = 'karbor:provider:get_all'
CHECKPOINT_GET = 'karbor:provider:checkpoint_get'
CHECKPOINT_GET_ALL = 'karbor:provider:checkpoint_get_all'
CHECKPOINT_CREATE = 'karbor:provider:checkpoint_create'
CHECKPOINT_DELETE = 'karbor:provider:checkpoint_delete'
CHECKPOINT_UPDATE = 'karbor:provider:checkpoint_update'

_P = '/v1/{project_id}/providers'
_C = _P + '/{provider_id}/checkpoints'

rules = [
    base.reader(GET, 'Show a provider.', 'GET', _P + '/{provider_id}',
                'provider:get'),
    base.reader(GET_ALL, 'List providers.', 'GET', _P, 'provider:get_all'),
    base.reader(CHECKPOINT_GET, 'Show a checkpoint.', 'GET',
                _C + '/{checkpoint_id}', 'provider:checkpoint_get'),
    base.reader(CHECKPOINT_GET_ALL, 'List checkpoints.', 'GET', _C,
                'provider:checkpoint_get_all'),
    base.member(CHECKPOINT_CREATE, 'Create a checkpoint of a plan.', 'POST',
                _C, 'provider:checkpoint_create'),
    base.member(CHECKPOINT_DELETE, 'Delete a checkpoint.', 'DELETE',
                _C + '/{checkpoint_id}', 'provider:checkpoint_delete'),
    base.admin(CHECKPOINT_UPDATE, 'Reset the state of a checkpoint '
               '(os-resetState).', [('PUT', _C + '/{checkpoint_id}')],
               'provider:checkpoint_update'),
]


def list_rules():
    return rules
