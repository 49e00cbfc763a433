"""Hard deletion of what no one sees any more: rows soft-deleted before a
date (checkpoints in status ``deleted``, verifications with a
``deleted_at``) and operation logs that ended before it. Running work is
never touched."""

import sqlalchemy as sa

from karbor.common import constants
from karbor.db import api
from karbor.db import models

_ENDED_LOGS = (constants.OPERATION_LOG_STATUS_SUCCESS,
               constants.OPERATION_LOG_STATUS_ERROR)


def _criteria(before):
    """(name, model, WHERE clause) of each kind of row purged."""
    checkpoint = models.Checkpoint
    log = models.OperationLog
    return (
        ('checkpoints', checkpoint, sa.and_(
            checkpoint.status == constants.CHECKPOINT_STATUS_DELETED,
            sa.func.coalesce(checkpoint.updated_at,
                             checkpoint.created_at) < before)),
        ('verifications', models.Verification, sa.and_(
            models.Verification.deleted_at.isnot(None),
            models.Verification.deleted_at < before)),
        ('operation_logs', log, sa.and_(
            log.status.in_(_ENDED_LOGS),
            sa.func.coalesce(log.ended_at, log.updated_at,
                             log.created_at) < before)),
    )


def purge(before, dry_run=False):
    """Hard-delete what was soft-deleted, or ended, before datetime
    ``before`` (UTC), in one transaction; {table: rows} deleted (or that
    would be, with ``dry_run``)."""
    counts = {}
    with api.writer() as session:
        for name, model, where in _criteria(before):
            if dry_run:
                counts[name] = session.scalar(
                    sa.select(sa.func.count()).select_from(model)
                    .where(where))
            else:
                counts[name] = session.execute(
                    sa.delete(model).where(where).execution_options(
                        synchronize_session=False)).rowcount
    return counts
