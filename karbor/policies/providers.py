"""Policies of /providers and their checkpoints."""

from karbor.policies import base

GET = 'provider:get'
GET_ALL = 'provider:get_all'
CHECKPOINT_GET = 'provider:checkpoint_get'
CHECKPOINT_GET_ALL = 'provider:checkpoint_get_all'
CHECKPOINT_CREATE = 'provider:checkpoint_create'
CHECKPOINT_DELETE = 'provider:checkpoint_delete'
CHECKPOINT_UPDATE = 'provider:checkpoint_update'

_P = '/v1/{project_id}/providers'
_C = _P + '/{provider_id}/checkpoints'

rules = [
    base.rule(GET, 'Show a provider.', 'GET', _P + '/{provider_id}'),
    base.rule(GET_ALL, 'List providers.', 'GET', _P),
    base.rule(CHECKPOINT_GET, 'Show a checkpoint.', 'GET',
              _C + '/{checkpoint_id}'),
    base.rule(CHECKPOINT_GET_ALL, 'List checkpoints.', 'GET', _C),
    base.rule(CHECKPOINT_CREATE, 'Create a checkpoint of a plan.', 'POST',
              _C),
    base.rule(CHECKPOINT_DELETE, 'Delete a checkpoint.', 'DELETE',
              _C + '/{checkpoint_id}'),
    base.rule(CHECKPOINT_UPDATE, 'Reset the state of a checkpoint.', 'PUT',
              _C + '/{checkpoint_id}'),
]


def list_rules():
    return rules
