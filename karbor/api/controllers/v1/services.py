"""/v1/{project_id}/os-services: the Karbor processes and their state."""

from oslo_config import cfg
import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.schemas.v1 import services as schema
from karbor.api import validation
from karbor.api.views import services as views
from karbor.common import exception
from karbor.common import policy
from karbor.db import services as services_db
from karbor.policies import services as service_policies


# The largest id an SQL INTEGER column holds. SQLite cannot even compare a
# column with a number past 2**63 (OverflowError, which was a 500).
MAX_SERVICE_ID = 2 ** 31 - 1


def _service_id(value):
    try:
        service_id = int(value)
    except (TypeError, ValueError):
        raise exception.ServiceNotFound(service_id=value)
    if not 0 < service_id <= MAX_SERVICE_ID:
        raise exception.ServiceNotFound(service_id=value)
    return service_id


class ServicesController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List the Karbor services',
                        query=schema.index_query,
                        response=schema.index)
    def get_all(self, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, service_policies.GET_ALL)
        validation.check_query(kwargs, ('host', 'binary'))
        rows = services_db.service_get_all(host=kwargs.get('host'),
                                           binary=kwargs.get('binary'))
        down_time = cfg.CONF.service_down_time
        return {'services': [views.service(r, down_time) for r in rows]}

    @pecan.expose('json')
    @contract.operation('Show a Karbor service',
                        response=schema.show)
    def get_one(self, service_id):
        ctx = base.context()
        policy.authorize(ctx, service_policies.GET_ALL)
        row = services_db.service_get(_service_id(service_id))
        return {'service': views.service(row, cfg.CONF.service_down_time)}

    @pecan.expose('json')
    @contract.operation('Enable or disable a Karbor service',
                        body=schema.update, response=schema.show)
    def put(self, service_id=None):
        if service_id is None:
            # PUT on the collection: pecan calls put() without an id.
            pecan.abort(405, headers={'Allow': 'GET'})
        ctx = base.context()
        policy.authorize(ctx, service_policies.UPDATE)
        body = validation.validated_body(schema.update)
        service_id = _service_id(service_id)
        disabled = body['status'] == 'disabled'
        values = {'disabled': disabled,
                  'disabled_reason': (body.get('disabled_reason')
                                      if disabled else None)}
        row = services_db.service_update(service_id, values)
        return {'service': views.service(row, cfg.CONF.service_down_time)}
