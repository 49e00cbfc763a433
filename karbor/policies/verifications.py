"""Policies of /verifications."""

from karbor.policies import base

CREATE = 'karbor:verification:create'
GET = 'karbor:verification:get'
GET_ALL = 'karbor:verification:get_all'
RESET_STATE = 'karbor:verification:reset_state'

_P = '/v1/{project_id}/verifications'

rules = [
    base.member(CREATE, 'Verify the copies of a checkpoint.', 'POST', _P,
                'verification:create'),
    base.reader(GET, 'Show a verification.', 'GET',
                _P + '/{verification_id}', 'verification:get'),
    base.reader(GET_ALL, 'List verifications.', 'GET', _P,
                'verification:get_all'),
    base.admin(RESET_STATE, 'Reset the state of a verification '
               '(os-resetState), e.g. to end one left running by a lost '
               'worker.',
               [('PUT', _P + '/{verification_id}')]),
]


def list_rules():
    return rules
