"""Policies of /plans."""

from karbor.policies import base

CREATE = 'karbor:plan:create'
UPDATE = 'karbor:plan:update'
DELETE = 'karbor:plan:delete'
GET = 'karbor:plan:get'
GET_ALL = 'karbor:plan:get_all'

_P = '/v1/{project_id}/plans'

rules = [
    base.member(CREATE, 'Create a plan.', 'POST', _P, 'plan:create'),
    base.member(UPDATE, 'Update a plan.', 'PUT', _P + '/{plan_id}',
                'plan:update'),
    base.member(DELETE, 'Delete a plan.', 'DELETE', _P + '/{plan_id}',
                'plan:delete'),
    base.reader(GET, 'Show a plan.', 'GET', _P + '/{plan_id}', 'plan:get'),
    base.reader(GET_ALL, 'List plans.', 'GET', _P, 'plan:get_all'),
]


def list_rules():
    return rules
