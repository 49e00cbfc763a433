"""Policies of /verifications."""

from karbor.policies import base

CREATE = 'verification:create'
GET = 'verification:get'
GET_ALL = 'verification:get_all'

_P = '/v1/{project_id}/verifications'

rules = [
    base.rule(CREATE, 'Verify the copies of a checkpoint.', 'POST', _P),
    base.rule(GET, 'Show a verification.', 'GET', _P + '/{verification_id}'),
    base.rule(GET_ALL, 'List verifications.', 'GET', _P),
]


def list_rules():
    return rules
