"""Client side of the protection service's RPC API.

Version history:

* 1.0: ``ping``.
* 1.1: ``protect``, ``delete`` and ``restore`` (casts).
* 1.2: ``verify`` (cast).
"""

from oslo_config import cfg
import oslo_messaging as messaging

from karbor.common import rpc

RPC_API_VERSION = '1.2'


class ProtectionAPI:
    """What the API process asks of the protection service.

    Long work is recorded in the database first and handed over with a
    ``cast``; ``call`` is kept for quick questions whose errors the caller
    must see.
    """

    def __init__(self, topic=None, timeout=None):
        target = messaging.Target(
            topic=topic or cfg.CONF.protection.topic,
            version=RPC_API_VERSION)
        self.client = rpc.get_client(target, version_cap=RPC_API_VERSION)
        self.timeout = timeout

    def _prepare(self, version='1.0', **kwargs):
        if self.timeout is not None:
            kwargs.setdefault('timeout', self.timeout)
        return self.client.prepare(version=version, **kwargs)

    def ping(self, context, payload=None):
        """Round trip to one protection service: its host and version."""
        return self._prepare().call(context, 'ping', payload=payload)

    def protect(self, context, checkpoint_id, operation_log_id):
        self._prepare('1.1').cast(context, 'protect',
                                  checkpoint_id=checkpoint_id,
                                  operation_log_id=operation_log_id)

    def delete(self, context, checkpoint_id, operation_log_id):
        self._prepare('1.1').cast(context, 'delete',
                                  checkpoint_id=checkpoint_id,
                                  operation_log_id=operation_log_id)

    def restore(self, context, restore_id, operation_log_id):
        # No credentials travel: the API refuses restore_auth.
        self._prepare('1.1').cast(context, 'restore', restore_id=restore_id,
                                  operation_log_id=operation_log_id)

    def verify(self, context, verification_id, operation_log_id):
        self._prepare('1.2').cast(context, 'verify',
                                  verification_id=verification_id,
                                  operation_log_id=operation_log_id)
