"""The credentials that go with a request to Cinder, Glance or Nova.

When the API made a Keystone trust for the operation (``trust_id`` in the
request context, see :mod:`karbor.services.protection.clients.trusts`),
each request carries a token of that trust, which Karbor's service user
gets from Keystone and keystoneauth renews: the operation acts for its
caller as long as it runs, whatever becomes of the caller's token. A
scheduled run, which no request brought, has no catalog of the caller: it
finds Cinder, Glance and Nova in the catalog of the trust's token.

Otherwise each request carries the caller's own token, taken from the
request context. A protect, restore or verification can last longer than
that token: with ``[service_user] send_service_user_token`` each request also
carries a token of Karbor's own service user (``X-Service-Token``), which
keystoneauth gets from Keystone with the ``[service_user]`` options and
renews before it expires; a service whose keystonemiddleware lists the
service user's role in ``service_token_roles_required`` then accepts the
caller's token even after it expired.

The service user's password is read from the configuration and given to
keystoneauth only: it is not in the request context, so it never travels
over RPC, into the bank or into an operation's reason, and keystoneauth
does not log the body of its requests to Keystone.

A service that answers 401 raises :class:`TokenRefused`, whose message
says what to configure when the service token is not sent.
"""

import threading

from keystoneauth1.access import service_catalog
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin
from keystoneauth1 import service_token
from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exception
from karbor.conf import service_user as service_user_conf
from karbor.i18n import _
from karbor.services.protection.clients import reasons

LOG = logging.getLogger(__name__)

GROUP = service_user_conf.GROUP

_NO_SERVICE_USER_HINT = _(
    '; configure Karbor\'s service user in [service_user] (auth_type and '
    'its credentials), so that operations act through a Keystone trust '
    '(delegate_with_trusts) or send its token beside the caller\'s '
    '(send_service_user_token), and outlive the caller\'s token')


class TokenRefused(exception.KarborException):
    msg_fmt = _('%(service)s refused the caller\'s token (expired or '
                'revoked)%(hint)s')
    code = 401
    fault_name = 'unauthorized'
    safe = True


class TrustRefused(TokenRefused):
    msg_fmt = _('%(service)s refused the token of the Keystone trust of '
                'this operation (the trust was deleted or expired, or its '
                'user lost the roles it delegated)')


class ServiceUserFailed(exception.KarborException):
    msg_fmt = _('Karbor\'s service user ([service_user]) could not get a '
                'token: %(reason)s')
    code = 503
    fault_name = 'serviceUnavailable'
    safe = True


def caller_token(context):
    """The caller's token; without one (a Karbor without Keystone, talking
    to services without it), ``<user>:<project>``: the token that Cinder's
    and Nova's noauth middleware read, and that Glance without Keystone
    ignores."""
    return getattr(context, 'auth_token', None) or '%s:%s' % (
        context.user_id or 'karbor', context.project_id or '')


def token_refused(service, url, context=None, conf=cfg.CONF):
    """The error of a service at ``url`` that answered 401; the URL goes
    to the log only."""
    LOG.warning('%s at %s refused the credentials of the request (401)',
                service, url)
    if getattr(context, 'trust_id', None):
        return TrustRefused(service=service)
    options = conf[GROUP]
    hint = '' if has_service_user(conf) and (
        options.delegate_with_trusts or options.send_service_user_token) \
        else _NO_SERVICE_USER_HINT
    return TokenRefused(service=service, hint=hint)


_lock = threading.Lock()
# (auth plugin, session to Keystone) of [service_user], once loaded.
_loaded = None
# Trust-scoped auth plugins, by trust id, while their operation runs.
_trusts = {}

# The scope options of an auth plugin: a trust-scoped token has none of
# them (Keystone refuses a request scoped twice).
_SCOPES = ('project_id', 'project_name', 'project_domain_id',
           'project_domain_name', 'domain_id', 'domain_name',
           'system_scope')


def has_service_user(conf=cfg.CONF):
    """Whether ``[service_user]`` names a Keystone user (auth_type)."""
    return bool(conf[GROUP].auth_type)


def service_credentials(conf=cfg.CONF):
    """The auth plugin of ``[service_user]`` and the session it talks to
    Keystone with. Loaded once per process (keystoneauth keeps its token
    and renews it); :class:`ServiceUserFailed` when the options do not
    make a plugin."""
    global _loaded
    with _lock:
        if _loaded is None:
            if not has_service_user(conf):
                raise ServiceUserFailed(
                    reason=_('[service_user] auth_type is not set'))
            try:
                auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
            except ks_exc.AuthPluginException as e:
                raise ServiceUserFailed(reason=describe(e))
            keystone = ks_loading.load_session_from_conf_options(conf,
                                                                 GROUP)
            _loaded = (auth, keystone)
            LOG.info('Karbor\'s service user is loaded from [service_user] '
                     '(%s)', conf[GROUP].auth_type)
        return _loaded


def service_user(conf=cfg.CONF):
    """:func:`service_credentials` when ``send_service_user_token`` is on,
    else None."""
    if not conf[GROUP].send_service_user_token:
        return None
    return service_credentials(conf)


def trust_auth(trust_id, conf=cfg.CONF):
    """The service user's auth plugin scoped to trust ``trust_id``, and
    the session to Keystone; one per trust and process, so that its token
    is reused until keystoneauth renews it."""
    with _lock:
        found = _trusts.get(trust_id)
    if found is not None:
        return found
    _service, keystone = service_credentials(conf)
    try:
        plugin = ks_loading.load_auth_from_conf_options(
            conf, GROUP, trust_id=trust_id, **dict.fromkeys(_SCOPES))
    except ks_exc.AuthPluginException as e:
        raise ServiceUserFailed(reason=describe(e))
    with _lock:
        return _trusts.setdefault(trust_id, (plugin, keystone))


def forget_trust(trust_id):
    with _lock:
        _trusts.pop(trust_id, None)


def reset():
    """Forget the loaded service user (after ``[service_user]`` changed)."""
    global _loaded
    with _lock:
        _loaded = None
        _trusts.clear()


class _WithServiceToken(service_token.ServiceTokenAuthWrapper):
    """keystoneauth's wrapper (the caller's token, and the service user's
    beside it), getting the service token over the service user's own
    session to Keystone, and saying so when it cannot."""

    def __init__(self, caller, service, keystone):
        super().__init__(user_auth=caller, service_auth=service)
        self.keystone = keystone

    def get_headers(self, session, **kwargs):
        headers = self.user_auth.get_headers(session, **kwargs) or {}
        try:
            headers[service_token.SERVICE_AUTH_HEADER_NAME] = \
                self.service_auth.get_token(self.keystone)
        except ks_exc.ClientException as e:
            raise ServiceUserFailed(reason=describe(e))
        return headers


class _Caller(plugin.BaseAuthPlugin):
    """The caller's token, and endpoints from the caller's catalog (the
    one keystonemiddleware gave the API, which travels in the context)."""

    def __init__(self, context):
        self.context = context

    def get_token(self, session, **kwargs):
        return caller_token(self.context)

    def get_headers(self, session, **kwargs):
        return {'X-Auth-Token': self.get_token(session)}

    def get_endpoint(self, session, service_type=None, interface=None,
                     region_name=None, **kwargs):
        entries = getattr(self.context, 'service_catalog', None) or []
        # keystonemiddleware hands the catalog on in the v2 form
        # (publicURL, ...); a v3 catalog (interface, url) is read too.
        v3 = any('interface' in endpoint for entry in entries
                 for endpoint in entry.get('endpoints') or [])
        catalog = (service_catalog.ServiceCatalogV3 if v3 else
                   service_catalog.ServiceCatalogV2)(entries)
        try:
            return catalog.url_for(service_type=service_type,
                                   interface=interface,
                                   region_name=region_name)
        except ks_exc.EndpointNotFound:
            return None

    def get_user_id(self, session, **kwargs):
        return self.context.user_id

    def get_project_id(self, session, **kwargs):
        return self.context.project_id


class _Delegated(_Caller):
    """A token of the operation's trust, which the service user gets over
    its own session to Keystone, instead of the caller's."""

    def __init__(self, context, trust, keystone):
        super().__init__(context)
        self.trust = trust
        self.keystone = keystone

    def get_token(self, session, **kwargs):
        try:
            return self.trust.get_token(self.keystone)
        except ks_exc.ClientException as e:
            raise ServiceUserFailed(reason=describe(e))

    def invalidate(self):
        return self.trust.invalidate()

    def get_endpoint(self, session, **kwargs):
        """From the caller's catalog when the context has one (the API
        gave it); else (a scheduled run, which no request brought) from
        the catalog of the trust's own token."""
        if getattr(self.context, 'service_catalog', None):
            return super().get_endpoint(session, **kwargs)
        try:
            return self.trust.get_endpoint(self.keystone, **kwargs)
        except ks_exc.EndpointNotFound:
            return None
        except ks_exc.ClientException as e:
            raise ServiceUserFailed(reason=describe(e))


def plugin_for(context, conf=cfg.CONF):
    """The keystoneauth plugin that authenticates requests for the caller
    of ``context``: the trust's tokens when the operation has a trust,
    else the caller's token (with the service user's beside it when
    ``send_service_user_token`` is on)."""
    trust_id = getattr(context, 'trust_id', None)
    if trust_id:
        return _Delegated(context, *trust_auth(trust_id, conf))
    auth = _Caller(context)
    service = service_user(conf)
    if service is not None:
        auth = _WithServiceToken(auth, *service)
    return auth


def describe(error):
    """The failure of a request to Keystone, for the reason a user reads;
    the detail (the URL of Keystone among it) goes to the log."""
    LOG.warning('Keystone refused or failed Karbor\'s service user: %s',
                error)
    return reasons.short(error)
