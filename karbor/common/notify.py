"""Notifications of Karbor over oslo.messaging.

Where a status change commits (a checkpoint, restore or verification
ends, a protection service takes an operation, an operation engine claims
or ends a scheduled run), the code calls one of the ``*_event`` functions
below after the commit. They hand the notification to one background
sender and return at once: an operation never waits for the broker and
never fails because of it (a notification that cannot be sent is logged
and dropped).

The standard ``[oslo_messaging_notifications]`` options choose the driver
(none by default: nothing is sent), the topics and the transport (the
RPC ``transport_url`` unless set). Event types and payloads are described
in doc/source/notifications.rst; the payloads are versioned
(:mod:`karbor.common.notification_payloads`).
"""

import functools
import threading

import futurist
from futurist import rejection
from futurist import waiters
from oslo_config import cfg
from oslo_context import context as oslo_context
from oslo_log import log as logging
import oslo_messaging as messaging

from karbor.common import constants
from karbor.common import notification_payloads as payloads

LOG = logging.getLogger(__name__)

PUBLISHER = 'karbor'
# Notifications waiting for the sender at most; more are dropped (and
# logged) rather than held in memory while the broker is away.
BACKLOG = 1000

INFO = 'info'
WARN = 'warn'
ERROR = 'error'

_LOCK = threading.Lock()
_NOTIFIER = None
_SENDER = None


class _ContextSerializer(messaging.NoOpSerializer):
    """Payloads are plain dicts already; the context, the project and
    user the event concerns (no token), as a dict."""

    def serialize_context(self, context):
        return context.to_dict() if context is not None else {}


def _notifier(conf=cfg.CONF):
    global _NOTIFIER, _SENDER
    with _LOCK:
        if _NOTIFIER is None:
            transport = messaging.get_notification_transport(conf)
            _NOTIFIER = messaging.Notifier(
                transport, publisher_id='%s.%s' % (PUBLISHER, conf.host),
                serializer=_ContextSerializer())
            _SENDER = futurist.ThreadPoolExecutor(
                max_workers=1,
                check_and_reject=rejection.reject_when_reached(BACKLOG))
        return _NOTIFIER, _SENDER


def transport(conf=cfg.CONF):
    """The transport the notifications go over."""
    return _notifier(conf)[0].transport


def enabled(conf=cfg.CONF):
    """Whether a notification driver other than ``noop`` is configured
    (oslo.messaging's Notifier.is_enabled() says yes to no driver)."""
    try:
        drivers = conf.oslo_messaging_notifications.driver
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return False
    return any(d != 'noop' for d in drivers)


def cleanup(timeout=10):
    """Send what is queued (waiting at most ``timeout`` seconds for the
    broker), then forget the notifier: a process that stops, or a test
    that changes the options, calls it."""
    global _NOTIFIER, _SENDER
    with _LOCK:
        notifier, sender = _NOTIFIER, _SENDER
        _NOTIFIER = _SENDER = None
    if sender is None:
        return
    try:
        drained = sender.submit(lambda: None)
    except futurist.RejectedSubmission:
        drained = None
    sent = drained is not None and waiters.wait_for_all(
        [drained], timeout).done
    sender.shutdown(wait=False)
    if sent:
        notifier.transport.cleanup()
    else:
        LOG.warning('Notifications still waiting for the broker after %d '
                    'seconds are dropped', timeout)


def _send(notifier, priority, context, event_type, payload):
    try:
        getattr(notifier, priority)(context, event_type, payload)
    except Exception:
        LOG.exception('Notification %s could not be sent', event_type)


def emit(project_id, user_id, event_type, payload, priority=INFO):
    """Queue the notification ``karbor.<event_type>``; never raises."""
    event_type = '%s.%s' % (PUBLISHER, event_type)
    if not enabled():
        return
    try:
        notifier, sender = _notifier()
        context = oslo_context.RequestContext(
            project_id=project_id, user_id=user_id, overwrite=False)
        sender.submit(_send, notifier, priority, context, event_type,
                      payload)
    except futurist.RejectedSubmission:
        LOG.error('Notification %s dropped: %d notifications are already '
                  'waiting for the broker', event_type, BACKLOG)
    except Exception:
        LOG.exception('Notification %s could not be queued', event_type)


def _never_raises(event):
    @functools.wraps(event)
    def safe(*args, **kwargs):
        try:
            event(*args, **kwargs)
        except Exception:
            LOG.exception('Notification %s could not be built',
                          event.__name__)
    return safe


def about(get_row, event, *args):
    """``event(row, *args)`` with the row that ``get_row()`` reads now (a
    status change just committed), if notifications are enabled; never
    raises."""
    if not enabled():
        return
    try:
        row = get_row()
    except Exception:
        LOG.exception('The object of a notification could not be read')
        return
    event(row, *args)


def _phase_priority(phase):
    return ERROR if phase == 'error' else INFO


# One function per kind of object. ``phase`` is start, end or error.

@_never_raises
def checkpoint_event(row, action, phase):
    """``action`` is create (a protect) or delete."""
    emit(row.project_id, None, 'checkpoint.%s.%s' % (action, phase),
         payloads.checkpoint(row), _phase_priority(phase))


@_never_raises
def restore_event(row, phase):
    emit(row.project_id, None, 'restore.%s' % phase, payloads.restore(row),
         _phase_priority(phase))


@_never_raises
def verification_event(row, phase):
    emit(row.project_id, None, 'verification.%s' % phase,
         payloads.verification(row), _phase_priority(phase))


@_never_raises
def scheduled_run_event(run, operation, phase):
    """``phase``: start, end, error or missed."""
    priority = {'missed': WARN, 'error': ERROR}.get(phase, INFO)
    emit(run.project_id, getattr(operation, 'user_id', None),
         'scheduled_operation.run.%s' % phase,
         payloads.scheduled_run(run, operation), priority)


def operation_started(kind, row):
    """A protection service took the operation ``kind`` (an operation
    log type) of ``row``: its ``start`` notification."""
    if kind == constants.OPERATION_PROTECT:
        checkpoint_event(row, 'create', 'start')
    elif kind == constants.OPERATION_DELETE:
        checkpoint_event(row, 'delete', 'start')
    elif kind == constants.OPERATION_RESTORE:
        restore_event(row, 'start')
    elif kind == constants.OPERATION_VERIFY:
        verification_event(row, 'start')


def operations_failed(ended):
    """The ``error`` notifications of operations that a recovery ended:
    ``ended`` lists (id, status it had)."""
    if not ended or not enabled():
        return
    # Imported here: the database layer imports this module.
    from karbor.db import checkpoints as checkpoints_db
    from karbor.db import restores as restores_db
    from karbor.db import verifications as verifications_db
    for object_id, was in ended:
        if was == constants.CHECKPOINT_STATUS_PROTECTING:
            about(functools.partial(checkpoints_db.checkpoint_get, object_id),
                  checkpoint_event, 'create', 'error')
        elif was == constants.CHECKPOINT_STATUS_DELETING:
            about(functools.partial(checkpoints_db.checkpoint_get, object_id),
                  checkpoint_event, 'delete', 'error')
        elif was == constants.RESTORE_STATUS_IN_PROGRESS:
            about(functools.partial(restores_db.restore_get, object_id),
                  restore_event, 'error')
        elif was == constants.VERIFICATION_STATUS_VERIFYING:
            about(functools.partial(verifications_db.verification_get,
                                    object_id),
                  verification_event, 'error')
