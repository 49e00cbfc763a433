"""/v1/{project_id}/providers: the configured providers."""

import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.controllers.v1 import checkpoints
from karbor.api import paging
from karbor.api.schemas.v1 import providers as schema
from karbor.api.views import providers as views
from karbor.common import exception
from karbor.common import policy
from karbor.policies import providers as provider_policies
from karbor.services.protection import provider as provider_module


def get_provider(provider_id):
    base.check_id(provider_id,
                  exception.ProviderNotFound(provider_id=provider_id))
    return provider_module.get_registry().get(provider_id)


class ProvidersController(rest.RestController):

    checkpoints = checkpoints.CheckpointsController()

    @pecan.expose('json')
    @contract.operation('List providers', query=schema.index_query,
                        response=schema.index)
    def get_all(self, **kwargs):
        policy.authorize(base.context(), provider_policies.GET_ALL)
        params = paging.parse(kwargs, ('id', 'name'))
        wanted = base.filters(kwargs, ('name', 'description'))
        items = [p for p in provider_module.get_registry().list()
                 if all(getattr(p, k) == v for k, v in wanted.items())]
        if params.sort_keys == ['created_at']:
            # The default order; providers have no date: by id.
            key, reverse = 'id', False
        else:
            key, reverse = params.sort_keys[0], params.sort_dirs[0] == 'desc'
        items.sort(key=lambda p: getattr(p, key), reverse=reverse)
        if params.marker:
            ids = [p.id for p in items]
            if params.marker not in ids:
                raise exception.MarkerNotFound(marker=params.marker)
            items = items[ids.index(params.marker) + 1:]
        body = [views.provider(p) for p in items[:params.limit]]
        return {'providers': body,
                'providers_links': paging.links('providers', body, params)}

    @pecan.expose('json')
    @contract.operation('Show a provider', response=schema.show)
    def get_one(self, provider_id):
        policy.authorize(base.context(), provider_policies.GET)
        return {'provider': views.provider(get_provider(provider_id))}
