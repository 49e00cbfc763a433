"""Policies of /plans."""

from karbor.policies import base

CREATE = 'plan:create'
UPDATE = 'plan:update'
DELETE = 'plan:delete'
GET = 'plan:get'
GET_ALL = 'plan:get_all'

_P = '/v1/{project_id}/plans'

rules = [
    base.rule(CREATE, 'Create a plan.', 'POST', _P),
    base.rule(UPDATE, 'Update a plan.', 'PUT', _P + '/{plan_id}'),
    base.rule(DELETE, 'Delete a plan.', 'DELETE', _P + '/{plan_id}'),
    base.rule(GET, 'Show a plan.', 'GET', _P + '/{plan_id}'),
    base.rule(GET_ALL, 'List plans.', 'GET', _P),
]


def list_rules():
    return rules
