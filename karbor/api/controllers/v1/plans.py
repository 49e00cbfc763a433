"""/v1/{project_id}/plans: what to protect, with which provider."""

import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api import paging
from karbor.api.schemas.v1 import plans as schema
from karbor.api import validation
from karbor.api.views import plans as views
from karbor.common import constants
from karbor.common import exception
from karbor.common import policy
from karbor.db import plans as plans_db
from karbor.policies import plans as plan_policies
from karbor.services.protection import protectables
from karbor.services.protection import provider as provider_module

SORT_KEYS = schema.SORT_KEYS


def _get(ctx, plan_id, rule, plain=False):
    return base.get_visible(ctx, plans_db.plan_get, plan_id,
                            exception.PlanNotFound(plan_id=plan_id), rule,
                            plain=plain)


def _check_resources(ctx, provider, resources):
    """Every resource exists and the provider protects its type; resources
    of one type are looked up together."""
    registry = protectables.get_registry()
    keys = [(r['type'], r['id']) for r in resources]
    if len(set(keys)) != len(keys):
        raise exception.InvalidInput(reason='a resource is listed twice')
    by_type = {}
    for item in resources:
        provider.plugin_for(item['type'])
        by_type.setdefault(item['type'], []).append(item['id'])
    found = {t: registry.show_resources(ctx, t, ids)
             for t, ids in by_type.items()}
    checked = []
    for item in resources:
        resource = found[item['type']][item['id']]
        checked.append({'id': resource.id, 'type': resource.type,
                        'name': item.get('name') or resource.name,
                        'extra_info': resource.extra_info})
    return checked


class PlansController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List plans', query=schema.index_query,
                        response=schema.index)
    def get_all(self, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, plan_policies.GET_ALL)
        params = paging.parse(kwargs, SORT_KEYS)
        project_id = base.list_scope(kwargs, ctx)
        wanted = base.filters(kwargs, ('name', 'description', 'status',
                                       'provider_id'))
        rows = plans_db.plan_get_all(filters=wanted, project_id=project_id,
                                     plain=True, **params.db_kwargs())
        body = [views.plan(r) for r in rows]
        return {'plans': body, 'plans_links': paging.links('plans', body,
                                                           params)}

    @pecan.expose('json')
    @contract.operation('Show a plan', response=schema.show)
    def get_one(self, plan_id):
        ctx = base.context()
        policy.authorize(ctx, plan_policies.GET)
        return {'plan': views.plan(_get(ctx, plan_id, plan_policies.GET,
                                        plain=True))}

    @pecan.expose('json')
    @contract.operation('Create a plan', body=schema.create,
                        response=schema.show)
    def post(self):
        ctx = base.context()
        policy.authorize(ctx, plan_policies.CREATE)
        body = validation.validated_body(schema.create)['plan']
        provider = provider_module.get_registry().get(body['provider_id'])
        parameters = body.get('parameters') or {}
        validation.validate_parameters(provider, parameters, 'options')
        resources = _check_resources(ctx, provider, body['resources'])
        row = plans_db.plan_create({
            'project_id': ctx.project_id,
            'user_id': ctx.user_id,
            'name': body['name'],
            'description': body.get('description'),
            'provider_id': provider.id,
            'status': constants.PLAN_STATUS_SUSPENDED,
            'resources': resources,
            'parameters': parameters,
        })
        return {'plan': views.plan(row)}

    @pecan.expose('json')
    @contract.operation('Update a plan', body=schema.update,
                        response=schema.show)
    def put(self, plan_id):
        ctx = base.context()
        policy.authorize(ctx, plan_policies.UPDATE)
        body = validation.validated_body(schema.update)['plan']
        row = _get(ctx, plan_id, plan_policies.UPDATE)
        provider = provider_module.get_registry().get(row.provider_id)
        if 'parameters' in body:
            validation.validate_parameters(provider, body['parameters'],
                                           'options')
        if 'resources' in body:
            body['resources'] = _check_resources(ctx, provider,
                                                 body['resources'])
        return {'plan': views.plan(plans_db.plan_update(row.id, body))}

    @pecan.expose('json')
    @contract.operation('Delete a plan', status=204)
    def delete(self, plan_id):
        ctx = base.context()
        policy.authorize(ctx, plan_policies.DELETE)
        row = _get(ctx, plan_id, plan_policies.DELETE)
        plans_db.plan_delete(row.id)
        return base.no_content()
