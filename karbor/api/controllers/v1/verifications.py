"""/v1/{project_id}/verifications: prove that a checkpoint's copies are
present and intact before restoring from it.

Everything that can be refused is refused here, each with its own error,
before anything is queued: unknown provider (404), a checkpoint that is
absent or another project's (404), not available (409), parameters that
the provider's verify_schema does not allow (400), a malformed body (400).
"""

import functools

import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.controllers.v1 import checkpoints
from karbor.api.controllers.v1 import handover
from karbor.api import paging
from karbor.api.schemas.v1 import verifications as schema
from karbor.api import validation
from karbor.api.views import verifications as views
from karbor.common import constants
from karbor.common import exception
from karbor.common import policy
from karbor.db import verifications as verifications_db
from karbor.policies import verifications as verification_policies
from karbor.services.protection import provider as provider_module
from karbor.services.protection.clients import trusts
from karbor.services.protection import rpcapi

SORT_KEYS = schema.SORT_KEYS
FILTERS = ('status', 'checkpoint_id', 'provider_id')


class VerificationsController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List verifications',
                        query=schema.index_query,
                        response=schema.index)
    def get_all(self, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, verification_policies.GET_ALL)
        params = paging.parse(kwargs, SORT_KEYS)
        project_id = base.list_scope(kwargs, ctx)
        wanted = base.filters(kwargs, FILTERS)
        rows = verifications_db.verification_get_all(
            filters=wanted, project_id=project_id,
            plain=True, **params.db_kwargs())
        body = [views.verification(r) for r in rows]
        return {'verifications': body,
                'verifications_links': paging.links('verifications', body,
                                                    params)}

    @pecan.expose('json')
    @contract.operation('Show a verification',
                        response=schema.show)
    def get_one(self, verification_id):
        ctx = base.context()
        policy.authorize(ctx, verification_policies.GET)
        row = base.get_visible(
            ctx, verifications_db.verification_get, verification_id,
            exception.VerificationNotFound(
                verification_id=verification_id),
            verification_policies.GET, plain=True)
        return {'verification': views.verification(row)}

    @pecan.expose('json')
    @contract.operation('Verify a checkpoint', status=202,
                        body=schema.create, response=schema.show,
                        errors=(409, 503))
    def post(self):
        ctx = base.context()
        policy.authorize(ctx, verification_policies.CREATE)
        body = validation.validated_body(schema.create)['verification']
        if isinstance(body, list):
            body = body[0]
        provider = provider_module.get_registry().get(body['provider_id'])
        checkpoint = checkpoints.get_own_available(
            ctx, provider.id, body['checkpoint_id'], 'verified')
        parameters = body.get('parameters') or {}
        validation.validate_parameters(provider, parameters, 'verify')
        operation = trusts.delegate(ctx, provider)
        # One transaction under the checkpoint's lock: a delete that took
        # the checkpoint meanwhile is refused here (409), and a delete
        # that comes after sees this verification running.
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
            }, checkpoints.operation_log_values(
                ctx, constants.OPERATION_VERIFY, checkpoint_id=checkpoint.id,
                plan_id=checkpoint.plan_id, provider_id=provider.id))
        except exception.InvalidState:
            trusts.release(operation)
            raise
        row = handover.hand_over(
            constants.OPERATION_VERIFY, row, log, operation,
            functools.partial(rpcapi.ProtectionAPI().verify, operation,
                              row.id, log.id))
        base.accepted()
        return {'verification': views.verification(row)}

    @pecan.expose('json')
    @contract.operation('Reset the state of a verification',
                        status=202, body=schema.reset_state,
                        errors=(409,))
    def put(self, verification_id):
        """An administrator ends a verification left running (or corrects an
        ended one). A compare-and-set on the status the administrator
        saw: 409 if it changed meanwhile."""
        return base.reset_state(
            'verification', verification_id, verifications_db.verification_get,
            exception.VerificationNotFound(verification_id=verification_id),
            verification_policies.RESET_STATE, schema.reset_state,
            verifications_db.verification_reset_state)
