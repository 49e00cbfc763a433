"""What a scheduled run does, by the path the API takes for the same
request: record the object and its operation log, then cast it to the
protection service (protect, verify, delete). Every operation log of a
run carries the scheduled operation's id and, in ``extra_info``, the due
time and the run.

The engine acts for the project and the user that scheduled the
operation, with the member role, and without a token; behind Keystone,
through the trust made when the operation was scheduled (its
``trust_id``), which each run hands to the protection service with
``keep_trust``: the end of a run does not delete it.
"""

import datetime
import functools

from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.api.controllers.v1 import handover
from karbor.api import validation
from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import models
from karbor.db import operation_logs as operation_logs_db
from karbor.db import plans as plans_db
from karbor.db import verifications as verifications_db
from karbor.services.operationengine import definitions
from karbor.services.protection import provider as provider_module
from karbor.services.protection.clients import trusts
from karbor.services.protection import rpcapi

LOG = logging.getLogger(__name__)

CREATED_BY = 'operation-engine'


def context_for(operation):
    """The context a run of ``operation`` acts in: with its trust, if it
    has one, which outlives the run."""
    trust_id = getattr(operation, 'trust_id', None)
    return karbor_context.RequestContext(
        user_id=operation.user_id, project_id=operation.project_id,
        roles=['member', 'reader'], is_admin=False, overwrite=False,
        trust_id=trust_id, keep_trust=bool(trust_id))


def _plan_and_provider(operation):
    definition = operation.operation_definition
    provider = provider_module.get_registry().get(definition['provider_id'])
    plan = plans_db.plan_get(definition['plan_id'],
                             project_id=operation.project_id)
    if plan.provider_id != provider.id:
        raise exception.InvalidInput(
            reason='plan %s now belongs to provider %s, not %s' % (
                plan.id, plan.provider_id, provider.id))
    return plan, provider


def operation_log(ctx, operation, run, operation_type, status=None,
                  error_info=None, ended=False, **ids):
    return operation_logs_db.operation_log_create(log_values(
        ctx, operation, run, operation_type, status=status,
        error_info=error_info, ended=ended, **ids))


def log_values(ctx, operation, run, operation_type, status=None,
               error_info=None, ended=False, **ids):
    """The values of a run's operation log."""
    now = timeutils.utcnow()
    return (dict(
        project_id=ctx.project_id, operation_type=operation_type,
        status=status or constants.OPERATION_LOG_STATUS_RUNNING[
            operation_type],
        started_at=now, ended_at=now if ended else None,
        error_info=error_info, scheduled_operation_id=operation.id,
        extra_info={'scheduled_run_id': run.id,
                    'due_at': run.due_at.isoformat()},
        **ids))


def protect(ctx, operation, run):
    """Create a checkpoint of the plan: (checkpoint id, operation log
    id)."""
    plan, provider = _plan_and_provider(operation)
    delegated = trusts.delegate(ctx, provider)
    try:
        row = checkpoints_db.checkpoint_create_within_quota({
            'project_id': ctx.project_id,
            'provider_id': provider.id,
            'plan_id': plan.id,
            'status': constants.CHECKPOINT_STATUS_PROTECTING,
            'protection_plan': {'id': plan.id, 'name': plan.name,
                                'provider_id': provider.id,
                                'resources': plan.resources,
                                'parameters': plan.parameters},
            'extra_info': {'created_by': CREATED_BY,
                           'scheduled_operation_id': operation.id},
        })
    except exception.QuotaExceeded:
        # The run ends error with the quota's message.
        trusts.release(delegated)
        raise
    log = operation_log(ctx, operation, run, constants.OPERATION_PROTECT,
                        checkpoint_id=row.id, plan_id=plan.id,
                        provider_id=provider.id)
    # The API's hand-over: a bounded cast; if it fails, the checkpoint
    # and its log are ended and ProtectionServiceUnreachable raised.
    handover.hand_over(
        constants.OPERATION_PROTECT, row, log, delegated,
        functools.partial(rpcapi.ProtectionAPI().protect, delegated,
                          row.id, log.id))
    return row.id, log.id


def _available_checkpoints(plan, provider, project_id):
    """The available checkpoints of ``plan``, newest first."""
    return checkpoints_db.checkpoint_get_all(
        filters={'plan_id': plan.id, 'provider_id': provider.id,
                 'status': constants.CHECKPOINT_STATUS_AVAILABLE},
        project_id=project_id, sort_keys=['created_at'],
        sort_dirs=['desc'])


def _verified_since(checkpoint_ids, since):
    """The ids among ``checkpoint_ids`` with a successful verification
    ended after ``since``, or one running."""
    if not checkpoint_ids:
        return set()
    with db_api.reader() as session:
        model = models.Verification
        return set(session.scalars(sa.select(model.checkpoint_id).where(
            model.checkpoint_id.in_(list(checkpoint_ids)),
            sa.or_(sa.and_(
                model.status == constants.VERIFICATION_STATUS_SUCCESS,
                model.ended_at >= since),
                model.status == constants.VERIFICATION_STATUS_VERIFYING))))


def verify_targets(operation, plan, provider, now):
    """The checkpoints a verify run checks, newest first."""
    checkpoints = _available_checkpoints(plan, provider,
                                         operation.project_id)
    days = operation.operation_definition.get('not_verified_within_days')
    if not days:
        return checkpoints[:1]
    fresh = _verified_since([c.id for c in checkpoints],
                            now - datetime.timedelta(days=days))
    return [c for c in checkpoints if c.id not in fresh]


def verify(ctx, operation, run, now):
    """Verify the checkpoints the definition names: [(verification id,
    operation log id)]; empty when there is none to verify."""
    plan, provider = _plan_and_provider(operation)
    parameters = definitions.verify_parameters(
        plan, operation.operation_definition.get('level'))
    validation.validate_parameters(provider, parameters, 'verify')
    started = []
    for checkpoint in verify_targets(operation, plan, provider, now):
        delegated = trusts.delegate(ctx, provider)
        # As the API does: under the checkpoint's lock, so that a delete
        # (a retention's too) and this verification exclude each other.
        try:
            row, log = verifications_db.verification_create_for_checkpoint({
                'project_id': ctx.project_id,
                'provider_id': provider.id,
                'checkpoint_id': checkpoint.id,
                'parameters': parameters,
                'status': constants.VERIFICATION_STATUS_VERIFYING,
                'resources_status': {},
                'resources_reason': {},
                'progress': {},
            }, log_values(ctx, operation, run, constants.OPERATION_VERIFY,
                          checkpoint_id=checkpoint.id, plan_id=plan.id,
                          provider_id=provider.id))
        except exception.InvalidState as e:
            trusts.release(delegated)
            LOG.info('Scheduled operation %s does not verify checkpoint '
                     '%s: %s', operation.id, checkpoint.id, e)
            continue
        handover.hand_over(
            constants.OPERATION_VERIFY, row, log, delegated,
            functools.partial(rpcapi.ProtectionAPI().verify, delegated,
                              row.id, log.id))
        started.append((row.id, log.id))
    return started


def retention(ctx, operation, run, keep_id, now):
    """Delete the available checkpoints of the plan beyond
    ``max_backups`` (newest kept) or older than ``retention_duration``
    days, never ``keep_id`` nor one being verified or restored: the ids
    whose delete started."""
    definition = operation.operation_definition
    plan, provider = _plan_and_provider(operation)
    checkpoints = _available_checkpoints(plan, provider,
                                         operation.project_id)
    doomed = []
    max_backups = definition.get('max_backups')
    days = definition.get('retention_duration')
    for index, checkpoint in enumerate(checkpoints):
        if checkpoint.id == keep_id:
            continue
        too_many = max_backups is not None and index >= max_backups
        too_old = days is not None and checkpoint.created_at < (
            now - datetime.timedelta(days=days))
        if too_many or too_old:
            doomed.append(checkpoint)
    deleted = []
    for checkpoint in doomed:
        delegated = trusts.delegate(ctx, provider)
        # The API's delete: refused atomically (InvalidState) while the
        # checkpoint is verified or restored.
        try:
            row, log = checkpoints_db.checkpoint_start_delete(
                checkpoint.id, log_values(
                    ctx, operation, run, constants.OPERATION_DELETE,
                    checkpoint_id=checkpoint.id, plan_id=plan.id,
                    provider_id=provider.id))
        except exception.InvalidState as e:
            trusts.release(delegated)
            LOG.info('Retention of scheduled operation %s keeps checkpoint '
                     '%s for now: %s', operation.id, checkpoint.id, e)
            continue
        try:
            handover.hand_over(
                constants.OPERATION_DELETE, row, log, delegated,
                functools.partial(rpcapi.ProtectionAPI().delete, delegated,
                                  checkpoint.id, log.id),
                previous_status=constants.CHECKPOINT_STATUS_AVAILABLE)
        except exception.ProtectionServiceUnreachable as e:
            LOG.warning('Retention of scheduled operation %s could not '
                        'delete checkpoint %s: %s', operation.id,
                        checkpoint.id, e)
            continue
        deleted.append(checkpoint.id)
    return deleted
