"""The URL must be text: its path and query string, once percent-decoded,
are valid UTF-8 without NUL characters.

WSGI hands the path over as raw bytes (decoded as latin-1); webob, pecan
and everything after them decode it as UTF-8 and fail deep inside (a 500)
on ``%FF``, on an overlong form (``%C0%AF``) or on an encoded surrogate
(``%ED%A0%80``). This middleware refuses such a request first, with a 400
that says which part is wrong.
"""

import urllib.parse

from karbor.api.middleware import fault


def _decode(raw, plus_is_space=False):
    """The text of a percent-encoded WSGI string; ValueError if it is not
    UTF-8 or holds a NUL."""
    if plus_is_space:
        raw = raw.replace('+', ' ')
    data = urllib.parse.unquote_to_bytes(raw.encode('latin-1'))
    text = data.decode('utf-8')  # strict: UnicodeDecodeError is ValueError
    if '\x00' in text:
        raise ValueError('it holds a NUL character (%00)')
    return text


class Utf8Url:

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        for key, what, plus in (('PATH_INFO', 'path', False),
                                ('QUERY_STRING', 'query string', True)):
            try:
                _decode(environ.get(key, ''), plus)
            except (ValueError, UnicodeEncodeError) as e:
                resp = fault.fault_response(
                    400, 'The URL %s is not valid: once percent-decoded it '
                         'must be UTF-8 text (%s).' % (what, _reason(e)))
                return resp(environ, start_response)
        return self.app(environ, start_response)


def _reason(error):
    if isinstance(error, UnicodeDecodeError):
        return 'byte 0x%02x at position %d cannot start or continue a ' \
               'character' % (error.object[error.start], error.start)
    return str(error)
