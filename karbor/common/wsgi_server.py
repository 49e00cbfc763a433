"""The multi-threaded WSGI server of karbor-api and karbor-all (cheroot)."""

from cheroot import wsgi
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class WSGIServer:
    def __init__(self, app, host, port, threads, name='karbor-api'):
        self.name = name
        self.server = wsgi.Server((host, port), app, numthreads=threads,
                                  server_name=name)

    @property
    def address(self):
        host, port = self.server.bind_addr[:2]
        return host, port

    def prepare(self):
        """Bind the socket (so the port is known and errors show early)."""
        self.server.prepare()
        host, port = self.address
        LOG.info('%s listening on http://%s:%s/', self.name, host, port)

    def serve(self):
        """Serve until stop() is called from another thread or a signal."""
        self.server.serve()

    def stop(self):
        self.server.stop()
