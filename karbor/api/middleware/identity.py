"""The caller's ids must fit where Karbor records them.

Rows record the project and the user of their creator in columns of 255
characters. Keystone's ids are far shorter, but the noauth mode takes them
from the token as they are; a longer one would fail deep in the database
(a 500). Checked after authentication, whatever its kind.
"""

from karbor.api.middleware import fault

# The size of the project_id and user_id columns.
MAX_ID_LENGTH = 255

_HEADERS = (('HTTP_X_PROJECT_ID', 'project'), ('HTTP_X_USER_ID', 'user'))


class IdentityLimits:

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        for key, what in _HEADERS:
            value = environ.get(key) or ''
            if len(value) > MAX_ID_LENGTH:
                resp = fault.fault_response(
                    400, 'The %s id of the token has %d characters; Karbor '
                         'records ids of at most %d.' % (
                             what, len(value), MAX_ID_LENGTH))
                return resp(environ, start_response)
        return self.app(environ, start_response)
