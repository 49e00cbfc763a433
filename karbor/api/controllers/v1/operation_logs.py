"""/v1/{project_id}/operation_logs: one row per protect, delete, restore
and verify."""

import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api import paging
from karbor.api.schemas.v1 import operation_logs as schema
from karbor.api.views import operation_logs as views
from karbor.common import exception
from karbor.common import policy
from karbor.db import operation_logs as operation_logs_db
from karbor.policies import operation_logs as log_policies

SORT_KEYS = schema.SORT_KEYS
FILTERS = ('checkpoint_id', 'plan_id', 'restore_id', 'verification_id',
           'provider_id', 'status', 'operation_type')


class OperationLogsController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List operation logs',
                        query=schema.index_query,
                        response=schema.index)
    def get_all(self, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, log_policies.GET_ALL)
        params = paging.parse(kwargs, SORT_KEYS)
        project_id = base.list_scope(kwargs, ctx)
        wanted = base.filters(kwargs, FILTERS)
        rows = operation_logs_db.operation_log_get_all(
            filters=wanted, project_id=project_id,
            plain=True, **params.db_kwargs())
        body = [views.operation_log(r) for r in rows]
        return {'operation_logs': body,
                'operation_logs_links': paging.links('operation_logs', body,
                                                     params)}

    @pecan.expose('json')
    @contract.operation('Show an operation log',
                        response=schema.show)
    def get_one(self, operation_log_id):
        ctx = base.context()
        policy.authorize(ctx, log_policies.GET)
        row = base.get_visible(
            ctx, operation_logs_db.operation_log_get, operation_log_id,
            exception.OperationLogNotFound(operation_log_id=operation_log_id),
            log_policies.GET, plain=True)
        return {'operation_log': views.operation_log(row)}
