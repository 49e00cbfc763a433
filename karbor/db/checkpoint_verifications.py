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


def latest(checkpoint_ids):
    """{checkpoint id: its latest verification} of ``checkpoint_ids``."""
    ids = list(checkpoint_ids)
    if not ids:
        return {}
    model = models.Verification
    with api.reader() as session:
        rows = session.scalars(sa.select(model).where(
            model.checkpoint_id.in_(ids)).order_by(
            model.created_at.desc(), model.id)).all()
        found = {}
        for row in rows:
            found.setdefault(row.checkpoint_id, row)
        for row in found.values():
            session.expunge(row)
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
