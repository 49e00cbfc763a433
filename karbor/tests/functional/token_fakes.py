"""Stand-ins, on 127.0.0.1, for the parts of Keystone that token expiry
involves: no Keystone runs on this machine, and the Glance of the tests runs
without one.

:class:`FakeKeystone` answers ``POST /v3/auth/tokens`` with the password
method, as Keystone does: a token in ``X-Subject-Token`` and its expiry in
the body, for one known user and password.

:class:`TokenCheckingProxy` sits in front of a real service and does what
keystonemiddleware does for a service with ``service_token_roles_required``:
a request must carry the caller's token; once the test declares that token
expired, the request is let through only with an ``X-Service-Token`` that
the fake Keystone issued and that has not expired yet. Anything else is
answered 401. Accepted requests go to the real service unchanged (bodies
are buffered: the tests move a few MiB).
"""

import datetime
import http.client
import http.server
import itertools
import json
import threading
import urllib.parse

from karbor.tests.functional import utils

SERVICE_TOKEN = 'X-Service-Token'


def _iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    owner = None

    def log_message(self, *args):
        pass

    def body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            parts = []
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                if size == 0:
                    # Trailer lines, then the empty line.
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))

    def answer(self, status, body=b'', headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def answer_json(self, status, document, headers=()):
        self.answer(status, json.dumps(document).encode(),
                    [('Content-Type', 'application/json')] + list(headers))

    def handle_any(self):
        self.owner.handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class _Running:
    """A threaded HTTP server on a free port of 127.0.0.1 whose requests
    go to ``self.handle``."""

    def start(self):
        handler = type('Handler', (_Handler,), {'owner': self})
        self.server = _Server(('127.0.0.1', utils.free_port()), handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server.server_address[1]


class FakeKeystone(_Running):
    """Tokens for ``username``/``password`` in ``project``, each valid for
    ``lifetime`` seconds. ``issued`` maps every token given out to its
    expiry; ``refused`` counts wrong passwords."""

    def __init__(self, username, password, project, lifetime=3600):
        self.username = username
        self.password = password
        self.project = project
        self.lifetime = lifetime
        self.issued = {}
        self.refused = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def auth_url(self):
        return self.url + '/v3'

    def valid(self, token):
        expiry = self.issued.get(token)
        return expiry is not None and expiry > _now()

    def handle(self, request):
        path = urllib.parse.urlsplit(request.path).path.rstrip('/')
        if request.command != 'POST' or path != '/v3/auth/tokens':
            request.answer_json(404, {'error': {
                'code': 404, 'title': 'Not Found',
                'message': 'only POST /v3/auth/tokens here'}})
            return
        try:
            identity = json.loads(request.body())['auth']['identity']
            user = identity['password']['user']
            name, password = user['name'], user['password']
        except (ValueError, KeyError, TypeError):
            request.answer_json(400, {'error': {
                'code': 400, 'title': 'Bad Request',
                'message': 'expected the password method'}})
            return
        if (name, password) != (self.username, self.password):
            with self._lock:
                self.refused += 1
            request.answer_json(401, {'error': {
                'code': 401, 'title': 'Unauthorized',
                'message': 'The request you have made requires '
                           'authentication.'}})
            return
        issued_at = _now()
        expires_at = issued_at + datetime.timedelta(seconds=self.lifetime)
        with self._lock:
            token = 'service-token-%d' % next(self._numbers)
            self.issued[token] = expires_at
        domain = {'id': 'default', 'name': 'Default'}
        request.answer_json(201, {'token': {
            'methods': ['password'],
            'issued_at': _iso(issued_at),
            'expires_at': _iso(expires_at),
            'user': {'id': 'karbor-service-user', 'name': name,
                     'domain': domain},
            'project': {'id': self.project, 'name': self.project,
                        'domain': domain},
            'roles': [{'id': 'service-role', 'name': 'service'}],
            'catalog': [],
        }}, [('X-Subject-Token', token)])


class TokenCheckingProxy(_Running):
    """Forwards to ``upstream`` (``http://host:port``) the requests that
    carry ``user_token`` and, after :meth:`expire_user_token`, a valid
    service token of ``keystone`` as well. ``seen`` lists (method, path,
    X-Auth-Token, X-Service-Token, status) of every request."""

    def __init__(self, upstream, user_token, keystone):
        parts = urllib.parse.urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.user_token = user_token
        self.keystone = keystone
        self.user_token_expired = False
        self.seen = []

    def expire_user_token(self):
        self.user_token_expired = True

    def _refusal(self, user_token, service_token):
        if user_token != self.user_token:
            return 'unknown token'
        if not self.user_token_expired:
            return None
        if service_token is None:
            return 'token expired'
        if not self.keystone.valid(service_token):
            return 'token expired; service token not valid'
        return None

    def handle(self, request):
        body = request.body()
        user_token = request.headers.get('X-Auth-Token')
        service_token = request.headers.get(SERVICE_TOKEN)
        refusal = self._refusal(user_token, service_token)
        if refusal:
            self.seen.append((request.command, request.path, user_token,
                              service_token, 401))
            request.answer_json(401, {'error': {
                'code': 401, 'title': 'Unauthorized', 'message': refusal}},
                [('WWW-Authenticate', 'Keystone uri="%s"' %
                  self.keystone.url)])
            return
        headers = {name: value for name, value in request.headers.items()
                   if name.lower() not in ('transfer-encoding', 'connection',
                                           'content-length', 'host')}
        connection = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            connection.request(request.command, request.path, body=body,
                               headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        self.seen.append((request.command, request.path, user_token,
                          service_token, response.status))
        request.answer(response.status, data, [
            (name, value) for name, value in response.getheaders()
            if name.lower() not in ('transfer-encoding', 'connection',
                                    'content-length')])
