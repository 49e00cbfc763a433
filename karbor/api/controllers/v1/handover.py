"""Handing long work over to the protection service.

A controller records an operation first (its object in a waiting status,
and its operation log), then hands it over with an RPC cast
(:mod:`karbor.services.protection.rpcapi`). Either the message broker holds
the message within ``[api] rpc_cast_timeout`` seconds and the request
answers 202, or it answers 503 and what it recorded is ended here, with the
reason: nothing stays ``protecting``, ``verifying``, ``in_progress`` or
``deleting`` with nobody to end it.

Accepted work waits in the broker until a protection service takes it. If
none is up (no heartbeat within ``service_down_time``), the answer says so
in the object's ``status_reason``, as ``GET /os-services`` does; the
service that takes the operation clears it.
"""

import time

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from karbor.api.views import services as service_views
from karbor.common import constants
from karbor.common import exception
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import models
from karbor.db import operation_logs as operation_logs_db
from karbor.db import restores as restores_db
from karbor.db import services as services_db
from karbor.db import verifications as verifications_db
from karbor.services.protection.clients import trusts
from karbor.services.protection import jobs

LOG = logging.getLogger(__name__)

# operation -> (update function, waiting status, status when not handed over)
_KINDS = {
    constants.OPERATION_PROTECT: (checkpoints_db.checkpoint_update,
                                  constants.CHECKPOINT_STATUS_PROTECTING,
                                  constants.CHECKPOINT_STATUS_ERROR),
    # A checkpoint whose delete never left the API is unchanged: it goes
    # back to the status it had (given by the controller).
    constants.OPERATION_DELETE: (checkpoints_db.checkpoint_update,
                                 constants.CHECKPOINT_STATUS_DELETING,
                                 None),
    constants.OPERATION_RESTORE: (restores_db.restore_update,
                                  constants.RESTORE_STATUS_IN_PROGRESS,
                                  constants.RESTORE_STATUS_FAILURE),
    constants.OPERATION_VERIFY: (verifications_db.verification_update,
                                 constants.VERIFICATION_STATUS_VERIFYING,
                                 constants.VERIFICATION_STATUS_ERROR),
}

_MODELS = {
    constants.OPERATION_PROTECT: models.Checkpoint,
    constants.OPERATION_DELETE: models.Checkpoint,
    constants.OPERATION_RESTORE: models.Restore,
    constants.OPERATION_VERIFY: models.Verification,
}

NOBODY_UP = ('waiting: no protection service is up to run this operation '
             '(none has reported within %(down_time)ss, see GET '
             '/os-services); it is queued and runs when one starts')


def hand_over(kind, row, log, operation, cast, previous_status=None):
    """Run ``cast()`` (the rpcapi call) for the ``kind`` operation recorded
    as ``row`` and ``log``, whose context is ``operation``; return the row
    to answer 202 with.

    If the cast fails, end ``row`` (``previous_status`` for a delete) and
    ``log`` with the reason, release the operation's trust if it has one,
    and raise the 503. Each end is conditional on the row still waiting
    with no host: if the cast got through after all and a protection
    service took the operation, it is accepted.
    """
    _save_context(kind, row, operation)
    try:
        cast()
    except exception.ProtectionServiceUnreachable as e:
        if _end(kind, row, log, str(e), previous_status):
            trusts.release(operation)
            jobs.forget(jobs.book_id(kind, row.id))
            raise
        LOG.warning('%s %s: a protection service took it although the '
                    'broker did not confirm in time; accepted', kind, row.id)
        return row
    return _note_if_nobody_up(kind, row)


def _save_context(kind, row, operation):
    """With a jobboard, the operation's context (without its token) is
    saved before the cast: if the worker that takes the cast dies before
    it claims the operation, the worker that takes it over acts with it
    (:func:`karbor.services.protection.jobs.save_context`). Without it
    the operation still runs, taken over with its project only."""
    if not jobs.jobboard_enabled():
        return
    try:
        jobs.save_context(kind, row.id, operation)
    except Exception as e:
        LOG.warning('The context of %s %s was not saved: %s', kind, row.id,
                    e)


@db_api.retry_on_deadlock
def _end(kind, row, log, reason, previous_status):
    """End ``row`` and ``log`` in one transaction, only if ``row`` still
    waits with no host: once it is ended no protection service claims it
    (its claim expects it waiting). False if a service took it."""
    _update, waiting, failed = _KINDS[kind]
    now = timeutils.utcnow()
    values = {'status': previous_status or failed, 'status_reason': reason}
    if kind == constants.OPERATION_VERIFY:
        values['ended_at'] = now
    with db_api.writer() as session:
        if not db_api.compare_and_set(
                session, _MODELS[kind], row.id,
                {'status': [waiting], 'host': [None]}, values):
            return False
        db_api.end_operation_log(
            session, log.id,
            operation_logs_db.ended(reason, now))
    LOG.warning('%s %s not handed over, ended: %s', kind, row.id, reason)
    return True


def protection_services_up(conf=cfg.CONF):
    """The protection services of our topic that report heartbeats."""
    down_time = conf.service_down_time
    return [s for s in services_db.service_get_all(
        binary=constants.SERVICE_BINARY_PROTECTION)
        if s.topic == conf.protection.topic and
        service_views.is_up(s, down_time)]


# Whether a protection service is up is asked at every hand-over; a "yes"
# is kept for a second (profiled: the services query was a tenth of a
# POST verification), and forgotten at once when this process writes a
# service row (the service of karbor-all marked down as it stops).
_UP_FOR = 1.0
_up = {'until': 0.0, 'generation': None}


def _someone_up():
    now = time.monotonic()
    if (now < _up['until'] and
            _up['generation'] == services_db.generation):
        return True
    generation = services_db.generation
    if not protection_services_up():
        return False
    _up.update(until=now + _UP_FOR, generation=generation)
    return True


def _note_if_nobody_up(kind, row):
    if _someone_up():
        return row
    update, waiting, _failed = _KINDS[kind]
    reason = NOBODY_UP % {'down_time': cfg.CONF.service_down_time}
    noted = update(row.id, {'status_reason': reason},
                   expected={'status': [waiting], 'host': [None]})
    LOG.warning('%s %s is queued but no protection service is up',
                kind, row.id)
    # None: a protection service took it meanwhile.
    return noted or row
