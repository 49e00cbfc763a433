"""Every error leaves the API as JSON in the OpenStack fault shape.

Karbor's own exceptions are rendered by the pecan hook in ``karbor.api.hooks``;
this middleware catches the rest: errors of routing, of other middleware
(size limit, keystonemiddleware) and anything unexpected, which becomes a
500 without a traceback.
"""

import html
import json
import re

from oslo_log import log as logging
import webob

from karbor.common import exception

LOG = logging.getLogger(__name__)

_TAGS = re.compile(r'<[^>]+>')


def fault_body(code, message):
    name = exception.fault_name_for(code)
    return json.dumps({name: {'code': code, 'message': message}})


def fault_response(code, message, headers=None):
    resp = webob.Response(status=code, content_type='application/json',
                          charset='UTF-8')
    resp.text = fault_body(code, message)
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _is_fault(body, status):
    """Whether ``body`` is already our fault for ``status``; keystonemiddleware
    answers 401 as ``{"error": {...}}``, which gets renamed."""
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    if not isinstance(doc, dict) or list(doc) != [
            exception.fault_name_for(status)]:
        return False
    inner = next(iter(doc.values()))
    return isinstance(inner, dict) and 'message' in inner and 'code' in inner


def _message_of(body, status):
    """The human part of a non-JSON error body (pecan, webob, middleware)."""
    text = body.decode('utf-8', 'replace') if isinstance(body, bytes) else body
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        inner = next(iter(doc.values()), None) if len(doc) == 1 else doc
        if isinstance(inner, dict) and inner.get('message'):
            return str(inner['message'])
    text = html.unescape(_TAGS.sub(' ', text))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # webob's pages repeat the title ("404 Not Found") before the detail.
    detail = [line for line in lines if not line.startswith(status)]
    return ' '.join(detail or lines) or status


def too_large_message():
    from oslo_config import cfg
    return ('The request body is larger than %d bytes, the limit of this '
            'API ([oslo_middleware] max_request_body_size).' %
            cfg.CONF.oslo_middleware.max_request_body_size)


class PathNormalizer:
    """``/v1/p//plans/`` is ``/v1/p/plans``: empty path segments, such as a
    trailing slash or the double slash of a client URL that ends in '/',
    name nothing."""

    _SLASHES = re.compile(r'/{2,}')

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        normal = self._SLASHES.sub('/', path)
        if len(normal) > 1:
            normal = normal.rstrip('/')
        environ['PATH_INFO'] = normal
        return self.app(environ, start_response)


class FaultWrapper:
    """Answers of 400 and more leave in the fault shape.

    A successful answer passes through untouched (not buffered: this runs
    on every request); an error's body is read and rewritten when it is
    not a fault already.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = []

        def start(status, headers, exc_info=None):
            if int(status[:3]) < 400:
                started.append(True)
                return start_response(status, headers, exc_info)
            started.append((status, headers))
            return self._refused_write

        try:
            app_iter = self.app(environ, start)
            if started and started[0] is True:
                return app_iter
            # An error, or an application that answers only once its
            # body is read: read it.
            try:
                body = b''.join(app_iter)
            finally:
                if hasattr(app_iter, 'close'):
                    app_iter.close()
        except Exception:
            # The raw path: decoding it may be what failed.
            LOG.exception('Unexpected error in %s %r',
                          environ.get('REQUEST_METHOD'),
                          environ.get('PATH_INFO'))
            resp = fault_response(
                500, 'The server met an unexpected error; it is logged '
                     'with the request id of this response.')
            return resp(environ, start_response)
        if not started:
            raise RuntimeError('the application did not start a response')
        if started[-1] is True:
            return [body]
        status, headers = started[-1]
        resp = webob.Response(status=status, headerlist=list(headers),
                              body=body)
        return self._faulted(environ, resp)(environ, start_response)

    @staticmethod
    def _refused_write(data):
        raise RuntimeError('the write() of WSGI is not supported here')

    @staticmethod
    def _faulted(environ, resp):
        if resp.content_type == 'application/json' and _is_fault(
                resp.body, resp.status_int):
            return resp
        req = webob.Request(environ)
        message = _message_of(resp.body, resp.status)
        if resp.status_int == 413:
            message = too_large_message()
        if resp.status_int == 405:
            allow = resp.headers.get('Allow')
            message = 'Method %s is not allowed on %s.' % (
                req.method, req.path)
            if allow:
                message += ' Allowed: %s.' % allow
        new = fault_response(resp.status_int, message)
        for key in ('Allow', 'WWW-Authenticate', 'Retry-After'):
            if key in resp.headers:
                new.headers[key] = resp.headers[key]
        return new
