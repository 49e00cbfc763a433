"""Server side of the protection service's RPC API."""

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from karbor.services.protection import rpcapi
from karbor import version

LOG = logging.getLogger(__name__)


class ProtectionManager:
    """The RPC endpoint of karbor-protection."""

    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host=None):
        self.host = host or cfg.CONF.host

    def init_host(self):
        """Called once before the RPC server starts consuming."""
        LOG.info('Protection manager ready on host %s', self.host)

    def cleanup_host(self):
        LOG.info('Protection manager on host %s stopping', self.host)

    def ping(self, context, payload=None):
        return {'host': self.host,
                'version': version.version_string(),
                'payload': payload}
