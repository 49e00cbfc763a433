"""/v1/{project_id}/scheduled_operations: what runs when a trigger fires.

Each definition is checked when it is created: the trigger, the provider
and the plan exist and are the caller's (404 otherwise), the plan is the
provider's, and the definition fits its type (400 saying why). The
operation engine then runs it (``karbor.services.operationengine``);
``last_run`` shows the latest due time and what came of it.

Behind Keystone, with ``[service_user] delegate_with_trusts``, creating a
scheduled operation whose provider acts for its caller makes a Keystone
trust from the caller to Karbor's service user, kept with the scheduled
operation: its runs act for the caller through it, long after the
caller's token is gone. If Keystone refuses the trust, nothing is
created (403 or 503 saying why); deleting the scheduled operation deletes
its trust first.
"""

from oslo_log import log as logging
from oslo_utils import timeutils
import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.controllers.v1 import scheduling
from karbor.api.controllers.v1 import triggers
from karbor.api import paging
from karbor.api.schemas.v1 import scheduled_operations as schema
from karbor.api import validation
from karbor.api.views import scheduled_operations as views
from karbor.api.views import triggers as trigger_views
from karbor.common import exception
from karbor.common import policy
from karbor.db import plans as plans_db
from karbor.db import scheduled_operations as operations_db
from karbor.db import triggers as triggers_db
from karbor.policies import plans as plan_policies
from karbor.policies import scheduled_operations as operation_policies
from karbor.policies import triggers as trigger_policies
from karbor.services.operationengine import definitions
from karbor.services.protection.clients import trusts
from karbor.services.protection import provider as provider_module

LOG = logging.getLogger(__name__)

SORT_KEYS = schema.SORT_KEYS


def _get(ctx, operation_id, rule):
    return base.get_visible(
        ctx, operations_db.scheduled_operation_get, operation_id,
        exception.ScheduledOperationNotFound(
            scheduled_operation_id=operation_id), rule)


def check_definition(ctx, operation_type, definition):
    """The normalised definition, its provider and plan exist and are the
    caller's; 400/404 saying what is wrong."""
    result = definitions.normalise(operation_type, definition)
    base.check_id(result['provider_id'], exception.ProviderNotFound(
        provider_id=result['provider_id']))
    provider = provider_module.get_registry().get(result['provider_id'])
    plan = base.check_own(ctx, base.get_visible(
        ctx, plans_db.plan_get, result['plan_id'],
        exception.PlanNotFound(plan_id=result['plan_id']),
        plan_policies.GET), 'plan', 'schedule')
    if plan.provider_id != provider.id:
        raise exception.InvalidInput(
            reason='operation_definition: plan %s belongs to provider %s, '
                   'not %s' % (plan.id, plan.provider_id, provider.id))
    if operation_type == definitions.VERIFY:
        validation.validate_parameters(
            provider, definitions.verify_parameters(plan, result.get('level')),
            'verify')
    return result


def _views(rows):
    runs = operations_db.latest_runs([r.id for r in rows])
    trigger_rows = {}
    now = timeutils.utcnow()
    body = []
    for row in rows:
        if row.trigger_id not in trigger_rows:
            try:
                trigger_rows[row.trigger_id] = triggers_db.trigger_get(
                    row.trigger_id)
            except exception.TriggerNotFound:
                trigger_rows[row.trigger_id] = None
        trigger = trigger_rows[row.trigger_id]
        due = (trigger_views.next_due(trigger.properties, now)
               if trigger is not None else None)
        body.append(views.scheduled_operation(row, runs.get(row.id), due))
    return body


def _drop_trust(trust_id, ctx):
    """Delete the trust of a scheduled operation that was not created."""
    try:
        trusts.delete(trust_id, ctx)
    except Exception as e:
        LOG.warning('Trust %s of a scheduled operation that was not '
                    'created could not be deleted: %s', trust_id, e)


class ScheduledOperationsController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List scheduled operations',
                        query=schema.index_query, response=schema.index)
    def get_all(self, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, operation_policies.GET_ALL)
        params = paging.parse(kwargs, SORT_KEYS)
        project_id = base.list_scope(kwargs, ctx)
        wanted_definition = scheduling.dict_query(kwargs,
                                                  'operation_definition')
        wanted = base.filters(kwargs, ('name', 'operation_type',
                                       'trigger_id'))
        if wanted_definition:
            rows = scheduling.dict_filtered_page(
                operations_db.scheduled_operation_get_all, wanted,
                project_id, params, 'operation_definition',
                wanted_definition)
        else:
            rows = operations_db.scheduled_operation_get_all(
                filters=wanted, project_id=project_id, **params.db_kwargs())
        body = _views(rows)
        return {'operations': body,
                'operations_links': paging.links('operations', body,
                                                 params)}

    @pecan.expose('json')
    @contract.operation('Show a scheduled operation', response=schema.show)
    def get_one(self, scheduled_operation_id):
        ctx = base.context()
        policy.authorize(ctx, operation_policies.GET)
        row = _get(ctx, scheduled_operation_id, operation_policies.GET)
        return {'scheduled_operation': _views([row])[0]}

    @pecan.expose('json')
    @contract.operation('Schedule an operation', body=schema.create,
                        response=schema.show)
    def post(self):
        ctx = base.context()
        policy.authorize(ctx, operation_policies.CREATE)
        body = validation.validated_body(schema.create)[
            'scheduled_operation']
        trigger = base.check_own(ctx, triggers.get_trigger(
            ctx, body['trigger_id'], trigger_policies.GET), 'trigger',
            'schedule')
        definition = check_definition(ctx, body['operation_type'],
                                      body['operation_definition'])
        trust_id = trusts.for_schedule(
            ctx, provider_module.get_registry().get(
                definition['provider_id']))
        try:
            row = operations_db.scheduled_operation_create({
                'project_id': ctx.project_id,
                'user_id': ctx.user_id,
                'name': body['name'],
                'description': body.get('description'),
                'operation_type': body['operation_type'],
                'trigger_id': trigger.id,
                'operation_definition': definition,
                'enabled': body.get('enabled', True),
                'trust_id': trust_id,
            })
        except Exception:
            if trust_id:
                _drop_trust(trust_id, ctx)
            raise
        return {'scheduled_operation': _views([row])[0]}

    @pecan.expose('json')
    @contract.operation('Rename, pause or resume a scheduled operation',
                        body=schema.update, response=schema.show)
    def put(self, scheduled_operation_id):
        ctx = base.context()
        policy.authorize(ctx, operation_policies.UPDATE)
        body = validation.validated_body(schema.update)[
            'scheduled_operation']
        row = _get(ctx, scheduled_operation_id, operation_policies.UPDATE)
        row = operations_db.scheduled_operation_update(row.id, body)
        return {'scheduled_operation': _views([row])[0]}

    @pecan.expose('json')
    @contract.operation('Delete a scheduled operation', status=204)
    def delete(self, scheduled_operation_id):
        ctx = base.context()
        policy.authorize(ctx, operation_policies.DELETE)
        row = _get(ctx, scheduled_operation_id, operation_policies.DELETE)
        if row.trust_id:
            # First: if Keystone cannot be asked (503), the scheduled
            # operation stays and a retry deletes both.
            trusts.delete(row.trust_id, ctx)
        operations_db.scheduled_operation_delete(row.id)
        return base.no_content()
