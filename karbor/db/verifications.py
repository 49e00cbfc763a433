"""Database functions of verifications."""

from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exception
from karbor.db import api
from karbor.db import models


def _not_found(verification_id):
    return exception.VerificationNotFound(verification_id=verification_id)


def verification_create(values):
    values = dict(values)
    values.setdefault('id', uuidutils.generate_uuid())
    return api.create(models.Verification, values)


def verification_get(verification_id, project_id=None):
    return api.get_one(models.Verification, verification_id,
                       _not_found(verification_id), project_id)


def verification_update(verification_id, values, expected=None):
    return api.update(models.Verification, verification_id, values,
                      _not_found(verification_id), expected)


def verification_get_all(**kwargs):
    return api.get_all(models.Verification, **kwargs)


def verification_set_resource_status(verification_id, key, status,
                                     reason=''):
    """Set one resource's verdict, under the row lock, so that resources
    checked in parallel do not overwrite each other."""
    verification_set_resource_statuses(verification_id,
                                       {key: (status, reason)})


def verification_set_resource_statuses(verification_id, verdicts,
                                       progress=None):
    """Set the verdicts ``{key: (status, reason)}`` of several resources
    (and the ``progress`` when given) in one write, under the row lock."""
    with api.writer() as session:
        row = session.get(models.Verification, verification_id,
                          with_for_update=True)
        if row is None:
            raise _not_found(verification_id)
        if row.status != constants.VERIFICATION_STATUS_VERIFYING:
            return  # ended already (recovery): its verdicts stay
        statuses = dict(row.resources_status or {})
        reasons = dict(row.resources_reason or {})
        for key, (status, reason) in verdicts.items():
            statuses[key] = status
            reasons[key] = reason or ''
        row.resources_status = statuses
        row.resources_reason = reasons
        if progress is not None:
            row.progress = progress


def verification_count_running(checkpoint_id):
    with api.reader() as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(models.Verification)
            .where(models.Verification.checkpoint_id == checkpoint_id,
                   models.Verification.status ==
                   constants.VERIFICATION_STATUS_VERIFYING))
