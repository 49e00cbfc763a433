"""/v1/{project_id}/protectables: resource types and their instances."""

import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api import paging
from karbor.api.schemas.v1 import protectables as schema
from karbor.api.views import protectables as views
from karbor.common import exception
from karbor.common import policy
from karbor.policies import protectables as protectable_policies
from karbor.services.protection import protectables


class InstancesController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List the instances of a protectable type',
                        query=schema.instances_query,
                        response=schema.instances, errors=(503,))
    def get_all(self, protectable_type, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, protectable_policies.INSTANCE_GET_ALL)
        registry = protectables.get_registry()
        registry.get(protectable_type)
        params = paging.parse(kwargs, ('id', 'name'))
        parameters = base.literal_dict(kwargs.pop('parameters', None),
                                       'parameters')
        wanted = base.filters(kwargs, ('type', 'name'))
        items = registry.list_resources(ctx, protectable_type, parameters)
        items = [r for r in items
                 if all(getattr(r, k) == v for k, v in wanted.items())]
        key = 'id' if params.sort_keys == ['created_at'] \
            else params.sort_keys[0]
        items.sort(key=lambda r: getattr(r, key),
                   reverse=(params.sort_keys != ['created_at'] and
                            params.sort_dirs[0] == 'desc'))
        if params.marker:
            ids = [r.id for r in items]
            if params.marker not in ids:
                raise exception.MarkerNotFound(marker=params.marker)
            items = items[ids.index(params.marker) + 1:]
        body = [views.instance(r, registry.dependents(ctx, r))
                for r in items[:params.limit]]
        return {'instances': body,
                'instances_links': paging.links('instances', body, params)}

    @pecan.expose('json')
    @contract.operation('Show an instance of a protectable type',
                        query=schema.instance_query,
                        response=schema.show_instance, errors=(503,))
    def get_one(self, protectable_type, resource_id, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, protectable_policies.INSTANCE_GET)
        parameters = base.literal_dict(kwargs.pop('parameters', None),
                                       'parameters')
        base.filters(kwargs, ())
        registry = protectables.get_registry()
        resource = registry.show_resource(ctx, protectable_type, resource_id,
                                          parameters)
        return {'instance': views.instance(resource,
                                           registry.dependents(ctx,
                                                               resource))}


class ProtectablesController(rest.RestController):

    instances = InstancesController()

    @pecan.expose('json')
    @contract.operation('List the protectable types',
                        query=schema.index_query, response=schema.index)
    def get_all(self, **kwargs):
        policy.authorize(base.context(), protectable_policies.GET_ALL)
        base.filters(kwargs, ())
        return {'protectable_type': protectables.get_registry().types()}

    @pecan.expose('json')
    @contract.operation('Show a protectable type',
                        response=schema.show)
    def get_one(self, protectable_type):
        policy.authorize(base.context(), protectable_policies.GET)
        registry = protectables.get_registry()
        return {'protectable_type': {
            'name': protectable_type,
            'dependent_types': registry.dependent_types(protectable_type)}}
