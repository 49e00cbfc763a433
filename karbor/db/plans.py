"""Database functions of plans."""

from karbor.common import exception
from karbor.db import api
from karbor.db import ids
from karbor.db import models
from karbor.db import quotas


def plan_create(values):
    values = dict(values)
    values.setdefault('id', ids.newest_first())
    return quotas.create_within_quota(models.Plan, values, quotas.PLANS)


def plan_get(plan_id, project_id=None, plain=False):
    return api.get_one(models.Plan, plan_id,
                       exception.PlanNotFound(plan_id=plan_id), project_id,
                       plain=plain)


def plan_update(plan_id, values):
    return api.update(models.Plan, plan_id, values,
                      exception.PlanNotFound(plan_id=plan_id))


def plan_delete(plan_id):
    api.delete(models.Plan, plan_id, exception.PlanNotFound(plan_id=plan_id))


def plan_get_all(**kwargs):
    return api.get_all(models.Plan, **kwargs)
