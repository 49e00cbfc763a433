"""Authentication: keystonemiddleware, or the noauth mode of tests and
single-user setups. Both leave the caller in the ``X-*`` headers that
keystonemiddleware defines, so one hook builds the context for either.
"""

import re

from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

# Paths that answer without a token: the version documents and the OpenAPI
# document.
PUBLIC_PATHS = re.compile(r'^/(v1/?|v1/openapi\.json)?$')

_URL_PROJECT = re.compile(r'^/v1/([^/]+)')

# Headers keystonemiddleware sets (X-User-*, X-Project-*, X-Roles,
# X-Service-*, ...): in noauth mode a client must not send its own.
_IDENTITY_PREFIXES = (
    'HTTP_X_USER', 'HTTP_X_PROJECT', 'HTTP_X_TENANT', 'HTTP_X_ROLE',
    'HTTP_X_DOMAIN', 'HTTP_X_IDENTITY', 'HTTP_X_SERVICE', 'HTTP_X_IS_ADMIN',
    'HTTP_X_AUTH_URL', 'HTTP_X_TRUST', 'HTTP_X_SYSTEM',
)

NOAUTH_DEFAULT_USER = 'admin'

# Keystone's default implied roles: a token with admin also carries member
# and reader, one with member also reader. Noauth tokens carry the same.
_IMPLIED_ROLES = {'admin': ('member', 'reader'), 'member': ('reader',)}


def with_implied_roles(roles):
    """``roles`` and the roles they imply, in Keystone's order."""
    result = []
    for role in roles:
        for name in (role,) + _IMPLIED_ROLES.get(role.lower(), ()):
            if name not in result:
                result.append(name)
    return result


def parse_noauth_token(token, url_project):
    """Who a noauth token names: (user, project, roles).

    ``user:project`` is a member of ``project``; ``user:project:r1,r2``
    has roles r1 and r2 (and those they imply, as in Keystone:
    ``admin`` > ``member`` > ``reader``). Any other token, or none, is the
    administrator of the project named in the URL.
    """
    parts = (token or '').split(':')
    if len(parts) in (2, 3) and parts[0] and parts[1]:
        roles = ['member']
        if len(parts) == 3:
            roles = [r.strip() for r in parts[2].split(',') if r.strip()]
        return parts[0], parts[1], with_implied_roles(roles)
    return NOAUTH_DEFAULT_USER, url_project, ['admin', 'member', 'reader']


class NoAuthMiddleware:
    """Sets the caller from the token, without asking anyone."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        # Never trust identity headers sent by the client itself.
        for key in [k for k in environ if k.startswith(_IDENTITY_PREFIXES)]:
            del environ[key]
        # WSGI hands the path over as latin-1 text; the project is the
        # UTF-8 text it encodes (the URL was checked to be UTF-8 before).
        path = environ.get('PATH_INFO', '')
        match = _URL_PROJECT.match(path.encode('latin-1').decode('utf-8'))
        url_project = match.group(1) if match else None
        user, project, roles = parse_noauth_token(
            environ.get('HTTP_X_AUTH_TOKEN'), url_project)
        environ['HTTP_X_USER_ID'] = user
        environ['HTTP_X_USER_NAME'] = user
        if project:
            environ['HTTP_X_PROJECT_ID'] = project
            environ['HTTP_X_PROJECT_NAME'] = project
        environ['HTTP_X_ROLES'] = ','.join(roles)
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return self.app(environ, start_response)


class PublicPathDispatcher:
    """Send the version documents around authentication."""

    def __init__(self, app, authenticated_app):
        self.app = app
        self.authenticated_app = authenticated_app

    def __call__(self, environ, start_response):
        if PUBLIC_PATHS.match(environ.get('PATH_INFO', '') or '/'):
            return self.app(environ, start_response)
        return self.authenticated_app(environ, start_response)


def wrap(app, conf=cfg.CONF):
    """``app`` behind the authentication that ``auth_strategy`` selects.

    With Keystone, ``[keystone_authtoken]`` must say where Keystone is and
    with which service user tokens are validated: without that, every
    request would fail, so the process refuses to start.
    """
    if conf.auth_strategy == 'noauth':
        LOG.warning('auth_strategy is noauth: every caller is trusted.')
        authed = NoAuthMiddleware(app)
    else:
        authed = auth_token.AuthProtocol(app, {'oslo_config_config': conf})
        options = conf.keystone_authtoken
        missing = [name for name in ('www_authenticate_uri', 'auth_type')
                   if not options[name]]
        if missing:
            raise cfg.RequiredOptError(
                ' and '.join(missing), cfg.OptGroup('keystone_authtoken'))
    return PublicPathDispatcher(app, authed)
