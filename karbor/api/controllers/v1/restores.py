"""/v1/{project_id}/restores: bring a checkpoint's resources back."""

import functools

import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.controllers.v1 import checkpoints
from karbor.api.controllers.v1 import handover
from karbor.api import paging
from karbor.api.schemas.v1 import restores as schema
from karbor.api import validation
from karbor.api.views import checkpoints as checkpoint_views
from karbor.api.views import restores as views
from karbor.common import constants
from karbor.common import exception
from karbor.common import policy
from karbor.db import checkpoint_verifications
from karbor.db import restores as restores_db
from karbor.policies import restores as restore_policies
from karbor.services.protection import provider as provider_module
from karbor.services.protection.clients import trusts
from karbor.services.protection import graph
from karbor.services.protection import rpcapi

SORT_KEYS = schema.SORT_KEYS


def check_plugin_parameters(provider, parameters, kind, ctx):
    """Schema first, then each plugin's own checks (allowed paths...)."""
    validation.validate_parameters(provider, parameters, kind)
    check = 'check_%s_parameters' % kind
    for key, value in (parameters or {}).items():
        plugin = provider.plugin_for(key.partition('#')[0])
        if hasattr(plugin, check):
            getattr(plugin, check)(value, ctx)


def refuse_credentials(document):
    """A password in a restore request would travel to the protection
    service and sit in its queue: it is refused before anything else reads
    the body (a schema error would quote it)."""
    restore = document.get('restore') if isinstance(document, dict) \
        else None
    if isinstance(restore, dict) and restore.get('restore_auth'):
        raise exception.InvalidInput(
            reason='restore_auth is not accepted: Karbor never takes '
                   'passwords in a restore request. A restore runs in this '
                   'cloud with your own token (and the service user\'s, '
                   'see [service_user]); restoring into another cloud is '
                   'not supported. Leave out --restore_target, '
                   '--restore_username and --restore_password.')


# The top-level key of a restore's parameters that restores a checkpoint
# whose latest verification failed: python-karborclient 2.1.0 sends it with
# ``restore-create ... --parameters-json '{"ignore_failed_verification":
# true}'``. It is taken out before the plugins see the parameters.
IGNORE_FAILED = schema.IGNORE_FAILED


def _resource_names(checkpoint):
    """{"<type>#<id>": name} of the checkpoint's resources."""
    try:
        nodes = graph.iter_nodes(graph.deserialize(
            checkpoint.resource_graph or '[]'))
    except (ValueError, TypeError, KeyError, exception.KarborException):
        return {}
    return {graph.resource_key(n.value): n.value.name for n in nodes}


def _failed_resources(checkpoint, latest):
    """'docs (OS::Karbor::Directory#<id>): <reason>' of each resource the
    verification did not find intact, by name: the reasons name bank
    objects, never a host path."""
    names = _resource_names(checkpoint)
    failed = []
    for key, status in sorted((latest.resources_status or {}).items()):
        if status == constants.VERIFICATION_STATUS_SUCCESS:
            continue
        reason = (latest.resources_reason or {}).get(key) or status
        name = names.get(key)
        failed.append('%s: %s' % ('%s (%s)' % (name, key) if name else key,
                                  reason))
    return failed


def checkpoint_verification(checkpoint, ignore_failed):
    """What the restore records of its checkpoint's latest verification;
    409 if that verification failed and ``ignore_failed`` is not set."""
    latest = checkpoint_verifications.latest(
        [checkpoint.id]).get(checkpoint.id)
    shown = checkpoint_views.verification(latest)
    record = dict(shown or {'id': None, 'level': None, 'status': None,
                            'ended_at': None},
                  summary=checkpoint_views.summary(shown),
                  failure_ignored=False)
    if latest is None or latest.status != \
            constants.VERIFICATION_STATUS_ERROR:
        return record
    if ignore_failed:
        record['failure_ignored'] = True
        return record
    failed = _failed_resources(checkpoint, latest)
    raise exception.InvalidState(
        reason='checkpoint %s failed its latest verification %s (%s): %s. '
               'Verify it again (karbor verification-create %s %s), or '
               'restore it anyway with the restore parameter %s=true '
               '(karbor restore-create %s %s --parameters-json '
               '\'{"%s": true}\')' % (
                   checkpoint.id, latest.id, record['summary'],
                   '; '.join(failed) if failed else
                   (latest.status_reason or 'no reason recorded'),
                   checkpoint.provider_id, checkpoint.id, IGNORE_FAILED,
                   checkpoint.provider_id, checkpoint.id, IGNORE_FAILED))


class RestoresController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List restores', query=schema.index_query,
                        response=schema.index)
    def get_all(self, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, restore_policies.GET_ALL)
        params = paging.parse(kwargs, SORT_KEYS)
        project_id = base.list_scope(kwargs, ctx)
        wanted = base.filters(kwargs, ('status', 'checkpoint_id',
                                       'provider_id'))
        rows = restores_db.restore_get_all(
            filters=wanted, project_id=project_id,
            plain=True, **params.db_kwargs())
        body = [views.restore(r) for r in rows]
        return {'restores': body,
                'restores_links': paging.links('restores', body, params)}

    @pecan.expose('json')
    @contract.operation('Show a restore', response=schema.show)
    def get_one(self, restore_id):
        ctx = base.context()
        policy.authorize(ctx, restore_policies.GET)
        row = base.get_visible(
            ctx, restores_db.restore_get, restore_id,
            exception.RestoreNotFound(
                restore_id=restore_id),
            restore_policies.GET, plain=True)
        return {'restore': views.restore(row)}

    @pecan.expose('json')
    @contract.operation('Restore a checkpoint', status=202,
                        body=schema.create, response=schema.show,
                        errors=(409, 503),
                        description=(
                            'Refused with 409 if the latest verification of '
                            'the checkpoint failed, unless the parameters '
                            'hold ``"%s": true``.' % schema.IGNORE_FAILED))
    def post(self):
        ctx = base.context()
        policy.authorize(ctx, restore_policies.CREATE)
        document = validation.load_json_body()
        refuse_credentials(document)
        validation.validate(schema.create, document)
        body = document['restore']
        provider = provider_module.get_registry().get(body['provider_id'])
        checkpoint = checkpoints.get_own_available(
            ctx, provider.id, body['checkpoint_id'], 'restored')
        parameters = dict(body.get('parameters') or {})
        ignore_failed = parameters.pop(IGNORE_FAILED, False)
        check_plugin_parameters(provider, parameters, 'restore', ctx)
        verified = checkpoint_verification(checkpoint, ignore_failed)
        operation = trusts.delegate(ctx, provider)
        # One transaction under the checkpoint's lock: a delete that took
        # the checkpoint meanwhile is refused here (409), and a delete
        # that comes after sees this restore running.
        try:
            row, log = restores_db.restore_create_for_checkpoint({
                'project_id': ctx.project_id,
                'provider_id': provider.id,
                'checkpoint_id': checkpoint.id,
                'parameters': parameters,
                'status': constants.RESTORE_STATUS_IN_PROGRESS,
                'restore_target': body.get('restore_target'),
                'resources_status': {},
                'resources_reason': {},
                'checkpoint_verification': verified,
            }, checkpoints.operation_log_values(
                ctx, constants.OPERATION_RESTORE, checkpoint_id=checkpoint.id,
                plan_id=checkpoint.plan_id, provider_id=provider.id))
        except exception.InvalidState:
            trusts.release(operation)
            raise
        row = handover.hand_over(
            constants.OPERATION_RESTORE, row, log, operation,
            functools.partial(rpcapi.ProtectionAPI().restore, operation,
                              row.id, log.id))
        base.accepted()
        return {'restore': views.restore(row)}

    @pecan.expose('json')
    @contract.operation('Reset the state of a restore',
                        status=202, body=schema.reset_state,
                        errors=(409,))
    def put(self, restore_id):
        """An administrator ends a restore left running (or corrects an
        ended one). A compare-and-set on the status the administrator
        saw: 409 if it changed meanwhile."""
        return base.reset_state(
            'restore', restore_id, restores_db.restore_get,
            exception.RestoreNotFound(restore_id=restore_id),
            restore_policies.RESET_STATE, schema.reset_state,
            restores_db.restore_reset_state)
