"""The web server's own errors are JSON faults too (a real cheroot server
on a free port of 127.0.0.1)."""

import json
import socket
import threading

from karbor.common import wsgi_server
from karbor.tests import base


def app(environ, start_response):
    if environ['PATH_INFO'] == '/boom':
        raise RuntimeError('a bug')
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [b'{}']


class WSGIServerFaultTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.server = wsgi_server.WSGIServer(app, '127.0.0.1', 0, 2,
                                             name='test')
        self.server.prepare()
        thread = threading.Thread(target=self.server.serve, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.server.stop)

    def raw(self, request):
        """(status, headers, body) of one raw HTTP exchange."""
        with socket.create_connection(self.server.address, timeout=10) as s:
            s.sendall(request)
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                head, sep, body = data.partition(b'\r\n\r\n')
                if sep and b'content-length' in head.lower():
                    length = int([line.split(b':')[1] for line in
                                  head.split(b'\r\n')
                                  if line.lower().startswith(
                                      b'content-length')][0])
                    if len(body) >= length:
                        break
        head, _sep, body = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        headers = dict(line.split(': ', 1) for line in lines[1:])
        return int(lines[0].split()[1]), headers, body

    def assertFault(self, answer, status, name):
        code, headers, body = answer
        self.assertEqual(status, code, body)
        self.assertEqual('application/json', headers['Content-Type'])
        doc = json.loads(body)
        self.assertEqual([name], list(doc))
        self.assertEqual(status, doc[name]['code'])
        self.assertTrue(doc[name]['message'])
        return doc[name]['message']

    def test_ok(self):
        self.assertEqual(200, self.raw(b'GET / HTTP/1.1\r\nHost: x\r\n'
                                       b'Connection: close\r\n\r\n')[0])

    def test_path_starting_with_two_slashes(self):
        message = self.assertFault(
            self.raw(b'GET //v1/p/plans HTTP/1.1\r\nHost: x\r\n\r\n'),
            400, 'badRequest')
        self.assertIn('starts with one "/"', message)

    def test_malformed_request_line(self):
        self.assertFault(self.raw(b'GARBAGE\r\n\r\n'), 400, 'badRequest')

    def test_headers_too_large(self):
        request = (b'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' +
                   b'a' * (wsgi_server.MAX_REQUEST_HEADER_SIZE + 10) +
                   b'\r\n\r\n')
        code, headers, body = self.raw(request)
        self.assertIn(code, (413, 414))
        self.assertFault((code, headers, body), code, 'overLimit'
                         if code == 413 else 'badRequest')

    def test_application_error_is_a_json_500(self):
        message = self.assertFault(
            self.raw(b'GET /boom HTTP/1.1\r\nHost: x\r\n\r\n'), 500,
            'computeFault')
        self.assertNotIn('Traceback', message)
        self.assertNotIn('a bug', message)
