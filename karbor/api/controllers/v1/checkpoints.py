"""/v1/{project_id}/providers/{provider_id}/checkpoints.

Served from the database index of checkpoints; protect and delete are
recorded first, then cast to the protection service (202).
"""

import datetime
import functools

from oslo_utils import timeutils
import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.controllers.v1 import handover
from karbor.api import paging
from karbor.api.schemas.v1 import checkpoints as schema
from karbor.api import validation
from karbor.api.views import checkpoints as views
from karbor.common import constants
from karbor.common import exception
from karbor.common import policy
from karbor.db import checkpoint_verifications
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import plans as plans_db
from karbor.policies import plans as plan_policies
from karbor.policies import providers as provider_policies
from karbor.services.protection import provider as provider_module
from karbor.services.protection.clients import trusts
from karbor.services.protection import rpcapi

SORT_KEYS = schema.SORT_KEYS


def _provider(provider_id):
    base.check_id(provider_id,
                  exception.ProviderNotFound(provider_id=provider_id))
    return provider_module.get_registry().get(provider_id)


def _date(value, name):
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%d')
    except (TypeError, ValueError):
        raise exception.InvalidInput(
            reason='%s must be a date YYYY-MM-DD, not %r' % (name, value))


def _day_after(day):
    """The start of the day after ``day``: the end of an inclusive range;
    None (no end) after the last day a datetime can hold."""
    if day.date() == datetime.date.max:
        return None
    return day + datetime.timedelta(days=1)


def get_checkpoint(ctx, provider_id, checkpoint_id,
                   rule=provider_policies.CHECKPOINT_GET, plain=False):
    """The checkpoint if the caller may see it (``rule`` on its project);
    404 otherwise. ``plain``: a read-only row, for a view."""
    not_found = exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
    base.check_id(checkpoint_id, not_found)
    row = checkpoints_db.checkpoint_get(checkpoint_id,
                                        provider_id=provider_id, plain=plain)
    if (row.status == constants.CHECKPOINT_STATUS_DELETED or
            not policy.check(ctx, rule, {'project_id': row.project_id})):
        raise not_found
    return row


def get_own_available(ctx, provider_id, checkpoint_id, action):
    """A checkpoint of the caller's own project that is available, for
    ``action`` ('restored', 'verified'): 404 if absent or another
    project's, 403 for an administrator who may see another project's
    (upstream let any project verify any checkpoint), 409 if not
    available."""
    verb = {'restored': 'restore', 'verified': 'verify'}[action]
    row = base.check_own(ctx, get_checkpoint(ctx, provider_id, checkpoint_id),
                         'checkpoint', verb)
    if row.status != constants.CHECKPOINT_STATUS_AVAILABLE:
        raise exception.InvalidState(
            reason='checkpoint %s is %s; only an available checkpoint can '
                   'be %s' % (row.id, row.status, action))
    return row


def operation_log_values(ctx, operation_type, **ids):
    """The values of a new operation log, running."""
    return dict(
        project_id=ctx.project_id, operation_type=operation_type,
        status=constants.OPERATION_LOG_STATUS_RUNNING[operation_type],
        started_at=timeutils.utcnow(), **ids)


def new_operation_log(ctx, operation_type, **ids):
    return operation_logs_db.operation_log_create(
        operation_log_values(ctx, operation_type, **ids))


class CheckpointsController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List the checkpoints of a provider',
                        query=schema.index_query, response=schema.index)
    def get_all(self, provider_id, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, provider_policies.CHECKPOINT_GET_ALL)
        _provider(provider_id)
        params = paging.parse(kwargs, SORT_KEYS)
        project_id = base.list_scope(kwargs, ctx)
        wanted = base.filters(kwargs, ('plan_id', 'start_date', 'end_date',
                                       'status', 'verification'))
        verified = wanted.pop('verification', None)
        criteria = ([checkpoint_verifications.criterion(verified)]
                    if verified else [])
        start = wanted.pop('start_date', None)
        end = wanted.pop('end_date', None)
        start = _date(start, 'start_date') if start else None
        end = _day_after(_date(end, 'end_date')) if end else None
        if 'status' not in wanted:
            wanted['status'] = [s for s in (
                constants.CHECKPOINT_STATUS_PROTECTING,
                constants.CHECKPOINT_STATUS_AVAILABLE,
                constants.CHECKPOINT_STATUS_ERROR,
                constants.CHECKPOINT_STATUS_DELETING,
                constants.CHECKPOINT_STATUS_ERROR_DELETING)]
        wanted['provider_id'] = provider_id
        rows = checkpoints_db.checkpoint_get_all(
            filters=wanted, project_id=project_id, start_date=start,
            end_date=end, extra_criteria=criteria,
            plain=True, **params.db_kwargs())
        latest = checkpoint_verifications.latest(r.id for r in rows)
        body = [views.checkpoint(r, latest.get(r.id)) for r in rows]
        return {'checkpoints': body,
                'checkpoints_links': paging.links('checkpoints', body,
                                                  params)}

    @pecan.expose('json')
    @contract.operation('Show a checkpoint', response=schema.show)
    def get_one(self, provider_id, checkpoint_id):
        ctx = base.context()
        policy.authorize(ctx, provider_policies.CHECKPOINT_GET)
        _provider(provider_id)
        row = get_checkpoint(ctx, provider_id, checkpoint_id, plain=True)
        latest = checkpoint_verifications.latest([row.id])
        return {'checkpoint': views.checkpoint(row, latest.get(row.id))}

    @pecan.expose('json')
    @contract.operation('Protect a plan: create a checkpoint', status=202,
                        body=schema.create, response=schema.show,
                        errors=(409, 503))
    def post(self, provider_id):
        ctx = base.context()
        policy.authorize(ctx, provider_policies.CHECKPOINT_CREATE)
        body = validation.validated_body(schema.create)['checkpoint']
        provider = _provider(provider_id)
        plan_id = body['plan_id']
        plan = base.check_own(ctx, base.get_visible(
            ctx, plans_db.plan_get, plan_id,
            exception.PlanNotFound(plan_id=plan_id), plan_policies.GET),
            'plan', 'protect')
        if plan.provider_id != provider_id:
            raise exception.InvalidInput(
                reason='plan %s belongs to provider %s, not %s' % (
                    plan_id, plan.provider_id, provider_id))
        extra_info = body.get('extra-info') or body.get('extra_info') or {}
        # Before anything is written: it may refuse (503).
        operation = trusts.delegate(ctx, provider)
        try:
            row = checkpoints_db.checkpoint_create_within_quota({
                'project_id': ctx.project_id,
                'provider_id': provider_id,
                'plan_id': plan.id,
                'status': constants.CHECKPOINT_STATUS_PROTECTING,
                'protection_plan': {'id': plan.id, 'name': plan.name,
                                    'provider_id': provider_id,
                                    'resources': plan.resources,
                                    'parameters': plan.parameters},
                'extra_info': dict(extra_info, created_by='manual'),
            })
        except exception.QuotaExceeded:
            trusts.release(operation)
            raise
        log = new_operation_log(ctx, constants.OPERATION_PROTECT,
                                checkpoint_id=row.id, plan_id=plan.id,
                                provider_id=provider_id)
        row = handover.hand_over(
            constants.OPERATION_PROTECT, row, log, operation,
            functools.partial(rpcapi.ProtectionAPI().protect, operation,
                              row.id, log.id))
        base.accepted()
        return {'checkpoint': views.checkpoint(row)}

    @pecan.expose('json')
    @contract.operation('Delete a checkpoint', status=202,
                        errors=(409, 503))
    def delete(self, provider_id, checkpoint_id):
        ctx = base.context()
        policy.authorize(ctx, provider_policies.CHECKPOINT_DELETE)
        provider = _provider(provider_id)
        row = get_checkpoint(ctx, provider_id, checkpoint_id,
                             provider_policies.CHECKPOINT_DELETE)
        # Refused before a trust is made; checked again, with what runs
        # on it, atomically below.
        checkpoints_db.checkpoint_check_deletable(row)
        operation = trusts.delegate(ctx, provider)
        previous_status = row.status
        try:
            row, log = checkpoints_db.checkpoint_start_delete(
                row.id, operation_log_values(
                    ctx, constants.OPERATION_DELETE, checkpoint_id=row.id,
                    plan_id=row.plan_id, provider_id=provider_id))
        except exception.InvalidState:
            trusts.release(operation)
            raise
        handover.hand_over(
            constants.OPERATION_DELETE, row, log, operation,
            functools.partial(rpcapi.ProtectionAPI().delete, operation,
                              row.id, log.id),
            previous_status=previous_status)
        return base.accepted_empty()

    @pecan.expose('json')
    @contract.operation('Reset the state of a checkpoint',
                        status=202, body=schema.reset_state,
                        errors=(409,))
    def put(self, provider_id, checkpoint_id):
        ctx = base.context()
        policy.authorize(ctx, provider_policies.CHECKPOINT_UPDATE)
        body = validation.validated_body(schema.reset_state)
        _provider(provider_id)
        row = get_checkpoint(ctx, provider_id, checkpoint_id,
                             provider_policies.CHECKPOINT_UPDATE)
        state = body['os-resetState']['state']
        allowed = [constants.CHECKPOINT_STATUS_AVAILABLE,
                   constants.CHECKPOINT_STATUS_ERROR,
                   constants.CHECKPOINT_STATUS_ERROR_DELETING]
        updated = checkpoints_db.checkpoint_update(
            row.id, {'status': state,
                     'status_reason': 'state reset by %s' % ctx.user_id},
            expected={'status': allowed, 'host': [None]})
        if updated is None:
            raise exception.InvalidState(
                reason='checkpoint %s is %s; its state can be reset only '
                       'from %s' % (row.id, row.status, ', '.join(allowed)))
        return base.accepted_empty()
