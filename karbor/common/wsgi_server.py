"""The multi-threaded WSGI server of karbor-api and karbor-all (cheroot)."""

import json

from cheroot import errors as cheroot_errors
from cheroot import server as cheroot_server
from cheroot import wsgi
from oslo_log import log as logging

from karbor.common import exception

LOG = logging.getLogger(__name__)

# The request line and headers together; longer requests get 413/414.
MAX_REQUEST_HEADER_SIZE = 64 * 1024

_GENERIC_500 = ('The server met an unexpected error; it is logged with the '
                'request id of this response.')


class FaultRequest(cheroot_server.HTTPRequest):
    """The web server's own errors (a malformed request line, a path such
    as ``//v1/...`` that HTTP reads as an absolute URI, headers too large,
    an application that failed before answering) in the OpenStack fault
    shape, as JSON, like every other error of the API."""

    def simple_response(self, status, msg=''):
        status = str(status)
        code = int(status[:3])
        if code < 400:
            return super().simple_response(status, msg)
        if isinstance(msg, bytes):
            msg = msg.decode('latin-1')
        message = msg.strip() if code < 500 and msg else (
            _GENERIC_500 if code >= 500 else status[4:])
        if message.startswith('Absolute URI'):
            message = ('The request target must be a path that starts with '
                       'one "/" (such as /v1/{project_id}/plans); HTTP reads '
                       '"//" as the start of an absolute URI.')
        body = json.dumps({exception.fault_name_for(code): {
            'code': code, 'message': message}}).encode('ascii')
        head = ['%s %s' % (self.server.protocol, status),
                'Content-Length: %d' % len(body),
                'Content-Type: application/json']
        if code in (413, 414):
            self.close_connection = True
            head.append('Connection: close')
        data = ('\r\n'.join(head) + '\r\n\r\n').encode('latin-1') + body
        try:
            self.conn.wfile.write(data)
        except OSError as e:
            if e.args and e.args[0] not in \
                    cheroot_errors.socket_errors_to_ignore:
                raise


class _Connection(cheroot_server.HTTPConnection):
    RequestHandlerClass = FaultRequest


class WSGIServer:
    def __init__(self, app, host, port, threads, name='karbor-api'):
        self.name = name
        self.server = wsgi.Server((host, port), app, numthreads=threads,
                                  server_name=name)
        self.server.max_request_header_size = MAX_REQUEST_HEADER_SIZE
        self.server.ConnectionClass = _Connection

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
