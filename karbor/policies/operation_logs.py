"""Policies of /operation_logs."""

from karbor.policies import base

GET = 'karbor:operation_log:get'
GET_ALL = 'karbor:operation_log:get_all'

_P = '/v1/{project_id}/operation_logs'

rules = [
    base.reader(GET, 'Show an operation log.', 'GET',
                _P + '/{operation_log_id}', 'operation_log:get'),
    base.reader(GET_ALL, 'List operation logs.', 'GET', _P,
                'operation_log:get_all'),
]


def list_rules():
    return rules
