"""/v1/{project_id}/quotas/{project} and /v1/{project_id}/quota_classes/
{class}: limits of plans and checkpoints, in the shapes
python-karborclient 2.1.0 sends (quota-show, quota-show --detail,
quota-defaults, quota-update, quota-class-show, quota-class-update)."""

import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.schemas.v1 import quotas as schema
from karbor.api import validation
from karbor.common import exception
from karbor.common import policy
from karbor.db import quotas as quotas_db
from karbor.policies import quotas as quota_policies


def _check_name(value, what):
    if not value or len(value) > 255:
        raise exception.InvalidInput(reason='%s must be 1 to 255 characters'
                                     % what)
    return value


def _authorize(rule, quota_project_id):
    ctx = base.context()
    _check_name(quota_project_id, 'the project id')
    policy.authorize(ctx, rule, {'project_id': quota_project_id})
    return ctx


class QuotaDetailController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('Show the quotas of a project with their usage',
                        response=schema.detail)
    def get_all(self, quota_project_id):
        _authorize(quota_policies.GET, quota_project_id)
        limits = quotas_db.limits(quota_project_id)
        used = quotas_db.usage(quota_project_id)
        return {'quota': dict(
            {r: {'limit': limits[r], 'in_use': used[r], 'reserved': 0}
             for r in quotas_db.RESOURCES}, id=quota_project_id)}


class QuotaDefaultsController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('Show the default quotas of a project',
                        response=schema.show)
    def get_all(self, quota_project_id):
        _authorize(quota_policies.GET_DEFAULT, quota_project_id)
        return {'quota': dict(quotas_db.class_limits(),
                              id=quota_project_id)}


class QuotasController(rest.RestController):

    detail = QuotaDetailController()
    defaults = QuotaDefaultsController()

    @pecan.expose('json')
    @contract.operation('Show the quotas of a project', response=schema.show)
    def get_one(self, quota_project_id):
        _authorize(quota_policies.GET, quota_project_id)
        return {'quota': dict(quotas_db.limits(quota_project_id),
                              id=quota_project_id)}

    @pecan.expose('json')
    @contract.operation('Set the quotas of a project', body=schema.update,
                        response=schema.show)
    def put(self, quota_project_id=None):
        if quota_project_id is None:
            pecan.abort(405, headers={'Allow': ''})
        _authorize(quota_policies.UPDATE, quota_project_id)
        body = validation.validated_body(schema.update)['quota']
        quotas_db.set_limits(quota_project_id, body)
        return {'quota': dict(quotas_db.limits(quota_project_id),
                              id=quota_project_id)}


class QuotaClassesController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('Show a quota class', response=schema.class_show)
    def get_one(self, quota_class_name):
        ctx = base.context()
        policy.authorize(ctx, quota_policies.CLASS_GET)
        _check_name(quota_class_name, 'the class name')
        return {'quota_class': dict(quotas_db.class_limits(quota_class_name),
                                    id=quota_class_name)}

    @pecan.expose('json')
    @contract.operation('Set the limits of a quota class',
                        body=schema.class_update, response=schema.class_show)
    def put(self, quota_class_name=None):
        if quota_class_name is None:
            pecan.abort(405, headers={'Allow': ''})
        ctx = base.context()
        policy.authorize(ctx, quota_policies.CLASS_UPDATE)
        _check_name(quota_class_name, 'the class name')
        body = validation.validated_body(schema.class_update)['quota_class']
        quotas_db.set_class_limits(quota_class_name, body)
        return {'quota_class': dict(quotas_db.class_limits(quota_class_name),
                                    id=quota_class_name)}
