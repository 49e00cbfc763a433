"""A long-running Karbor service: an RPC server plus its heartbeat."""

import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from karbor.common import rpc
from karbor.db import services as services_db

LOG = logging.getLogger(__name__)


class Heartbeat:
    """Reports ``binary`` on ``host`` into the services table periodically."""

    def __init__(self, host, binary, topic=None, interval=None):
        self.host = host
        self.binary = binary
        self.topic = topic
        self.interval = interval or cfg.CONF.report_interval
        self._stop = threading.Event()
        self._thread = None
        self._service_id = None

    def report(self):
        try:
            row = services_db.service_report(self.host, self.binary,
                                             self.topic)
            self._service_id = row.id
        except Exception:
            # A database blip must not kill the service; the next beat
            # tries again, and the service shows "down" meanwhile.
            LOG.exception('Heartbeat of %s on %s failed',
                          self.binary, self.host)

    def _run(self):
        while not self._stop.wait(self.interval):
            self.report()

    def start(self):
        self.report()
        self._thread = threading.Thread(
            target=self._run, name='heartbeat-%s' % self.binary, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def mark_down(self):
        """Show the service "down" at once rather than after
        ``service_down_time``: work queued from now on says that nobody is
        up to run it. Only once its work has ended: another protection
        service fails the work of a host that is down."""
        if self._service_id is None:
            return
        try:
            services_db.service_update(self._service_id,
                                       {'last_heartbeat': None})
        except Exception:
            LOG.exception('Could not record that %s on %s stopped',
                          self.binary, self.host)


class RPCService:
    """Serves ``manager`` on ``topic`` and reports heartbeats."""

    def __init__(self, manager, binary, topic, host=None):
        self.manager = manager
        self.binary = binary
        self.topic = topic
        self.host = host or cfg.CONF.host
        self.heartbeat = Heartbeat(self.host, binary, topic)
        self.server = None

    def start(self):
        self.manager.init_host()
        target = messaging.Target(topic=self.topic, server=self.host)
        self.server = rpc.get_server(target, [self.manager])
        self.server.start()
        self.heartbeat.start()
        LOG.info('%s on %s serving topic %s', self.binary, self.host,
                 self.topic)

    def stop(self):
        self.heartbeat.stop()
        if self.server is not None:
            self.server.stop()
            self.server.wait()
        self.manager.cleanup_host()
        self.heartbeat.mark_down()
