"""Client side of the protection service's RPC API.

Version history:

* 1.0: ``ping``.
* 1.1: ``protect``, ``delete`` and ``restore`` (casts).
* 1.2: ``verify`` (cast).
"""

import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from karbor.common import exception
from karbor.common import rpc
from karbor.i18n import _

LOG = logging.getLogger(__name__)

RPC_API_VERSION = '1.2'

BROKER_UNAVAILABLE = _('the message broker is unavailable')
NO_QUEUE = _('no protection service has ever listened on its topic '
             '%(topic)s of the message broker, so nothing would receive '
             'the operation; start karbor-protection')


class ProtectionAPI:
    """What the API process asks of the protection service.

    Long work is recorded in the database first and handed over with a
    ``cast``; ``call`` is kept for quick questions whose errors the caller
    must see.

    A cast either reaches the broker, which confirms that it holds the
    message (publisher confirms, a persistent message in a durable queue),
    within ``[api] rpc_cast_timeout`` seconds, or raises
    :class:`~karbor.common.exception.ProtectionServiceUnreachable`. The
    broker must route it to a queue (the mandatory flag): a topic that no
    protection service ever declared is refused rather than dropped.
    """

    def __init__(self, topic=None, timeout=None):
        self.topic = topic or cfg.CONF.protection.topic
        target = messaging.Target(topic=self.topic, version=RPC_API_VERSION)
        self.client = rpc.get_client(target, version_cap=RPC_API_VERSION)
        self.timeout = timeout

    def _prepare(self, version='1.0', **kwargs):
        if self.timeout is not None:
            kwargs.setdefault('timeout', self.timeout)
        return self.client.prepare(version=version, **kwargs)

    def _cast(self, context, version, method, **kwargs):
        """Cast ``method``, waiting at most ``[api] rpc_cast_timeout``.

        oslo.messaging's ``retry`` bounds the reconnections of the cast
        itself; a thread of its own bounds the rest (a broker that accepts
        the connection and then stalls, a pooled connection whose
        heartbeat holds it while reconnecting). No ``timeout`` on purpose:
        on a cast it becomes the message's expiry, and a message waiting
        for a protection service to start must not expire.
        """
        conf = cfg.CONF.api
        client = self.client.prepare(
            version=version, retry=conf.rpc_cast_retries,
            transport_options=messaging.TransportOptions(at_least_once=True))
        outcome = {}

        def send():
            try:
                client.cast(context, method, **kwargs)
                outcome['sent'] = True
            except Exception as e:
                outcome['error'] = e

        sender = threading.Thread(target=send, daemon=True,
                                  name='cast-%s' % method)
        sender.start()
        sender.join(conf.rpc_cast_timeout)
        if outcome.get('sent'):
            return
        error = outcome.get('error')
        if error is None:
            # Still trying: it gives up by itself (its retries are
            # bounded). Should it get through after all, the protection
            # service finds the operation ended and ignores it.
            LOG.error('Cast of %s to topic %s not confirmed by the message '
                      'broker within %.1fs; the operation is ended',
                      method, self.topic, conf.rpc_cast_timeout)
            raise exception.ProtectionServiceUnreachable(
                reason=BROKER_UNAVAILABLE)
        if isinstance(error, messaging.MessageUndeliverable):
            LOG.error('Cast of %s: no queue is bound to topic %s',
                      method, self.topic)
            raise exception.ProtectionServiceUnreachable(
                reason=NO_QUEUE % {'topic': self.topic})
        LOG.error('Cast of %s to topic %s failed: %s', method, self.topic,
                  error)
        raise exception.ProtectionServiceUnreachable(
            reason=BROKER_UNAVAILABLE)

    def ping(self, context, payload=None):
        """Round trip to one protection service: its host and version."""
        return self._prepare().call(context, 'ping', payload=payload)

    def protect(self, context, checkpoint_id, operation_log_id):
        self._cast(context, '1.1', 'protect', checkpoint_id=checkpoint_id,
                   operation_log_id=operation_log_id)

    def delete(self, context, checkpoint_id, operation_log_id):
        self._cast(context, '1.1', 'delete', checkpoint_id=checkpoint_id,
                   operation_log_id=operation_log_id)

    def restore(self, context, restore_id, operation_log_id):
        # No credentials travel: the API refuses restore_auth.
        self._cast(context, '1.1', 'restore', restore_id=restore_id,
                   operation_log_id=operation_log_id)

    def verify(self, context, verification_id, operation_log_id):
        self._cast(context, '1.2', 'verify',
                   verification_id=verification_id,
                   operation_log_id=operation_log_id)
