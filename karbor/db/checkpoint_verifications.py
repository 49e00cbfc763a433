"""The latest verification of each checkpoint, as checkpoint show and
list carry it and as the checkpoint list filters on it."""

import sqlalchemy as sa

from karbor.common import constants
from karbor.db import api
from karbor.db import models

NEVER = 'never'
VERIFIED = 'verified'
FAILED = 'failed'
VERIFYING = 'verifying'
STATES = (NEVER, VERIFIED, FAILED, VERIFYING)
_STATUS_OF = {VERIFIED: constants.VERIFICATION_STATUS_SUCCESS,
              FAILED: constants.VERIFICATION_STATUS_ERROR,
              VERIFYING: constants.VERIFICATION_STATUS_VERIFYING}


_LATEST = []


def _verifications_of():
    """The verifications of the checkpoints ``:ids``, latest first (built
    once)."""
    if not _LATEST:
        model = models.Verification
        _LATEST.append(sa.select(*api.columns(model)).where(
            model.checkpoint_id.in_(sa.bindparam('ids', expanding=True)))
            .order_by(model.created_at.desc(), model.id))
    return _LATEST[0]


def latest(checkpoint_ids):
    """{checkpoint id: its latest verification} of ``checkpoint_ids``, as
    read-only rows (each column an attribute)."""
    ids = list(checkpoint_ids)
    if not ids:
        return {}
    found = {}
    for row in api.plain_rows(models.Verification, _verifications_of(),
                              {'ids': ids}):
        found.setdefault(row.checkpoint_id, row)
    return found


def _latest_status():
    """The status of a checkpoint's latest verification (SQL)."""
    model = models.Verification
    return sa.select(model.status).where(
        model.checkpoint_id == models.Checkpoint.id).order_by(
        model.created_at.desc(), model.id).limit(1).scalar_subquery()


def criterion(state):
    """Checkpoints whose latest verification is in ``state``: never
    verified, verified (success), failed (error) or verifying."""
    if state == NEVER:
        model = models.Verification
        return ~sa.exists().where(
            model.checkpoint_id == models.Checkpoint.id)
    return _latest_status() == _STATUS_OF[state]
