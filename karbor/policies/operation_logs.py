"""Policies of /operation_logs."""

from karbor.policies import base

GET = 'operation_log:get'
GET_ALL = 'operation_log:get_all'

_P = '/v1/{project_id}/operation_logs'

rules = [
    base.rule(GET, 'Show an operation log.', 'GET',
              _P + '/{operation_log_id}'),
    base.rule(GET_ALL, 'List operation logs.', 'GET', _P),
]


def list_rules():
    return rules
