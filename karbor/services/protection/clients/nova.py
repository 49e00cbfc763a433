"""Nova (compute API v2.1) on the caller's behalf, through keystoneauth1.

The session and the endpoint come from
:func:`karbor.services.protection.clients.connect` (``[nova]``
``endpoint_override`` or the caller's service catalog; an endpoint may
hold ``%(project_id)s``, which becomes the caller's project), the
credentials from :mod:`karbor.services.protection.clients.auth` (a caller
without a token sends ``<user>:<project>``, the token form of Nova's
noauth middleware).

A Nova that cannot be reached, or that answers with a server error, raises
:class:`NovaUnavailable` (503, "Nova is unavailable: ..."; the URL and the
detail go to the log); a server that does not exist raises
:class:`NotFound`.
"""

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exception
from karbor.services.protection import clients
from karbor.services.protection.clients import auth

LOG = logging.getLogger(__name__)

GROUP = 'nova'
# 2.1: the base microversion; every field read here is in it.
API_VERSION = '2.1'


class NovaUnavailable(exception.ServiceUnavailable):
    msg_fmt = '%(service)s is unavailable: %(reason)s'


class NotFound(Exception):
    """Nova answered 404."""


class Nova:
    """The servers of one caller in one Nova."""

    def __init__(self, context, conf=cfg.CONF):
        self.context = context
        self.session, self.url = clients.connect(context, GROUP, conf)

    def _get(self, path, params=None):
        try:
            resp = self.session.get(
                self.url + path, params=params, raise_exc=False,
                headers={'Accept': 'application/json',
                         'OpenStack-API-Version': 'compute %s' % API_VERSION,
                         'X-OpenStack-Nova-API-Version': API_VERSION})
        except (ks_exc.ConnectionError, ks_exc.RequestTimeout,
                ks_exc.DiscoveryFailure) as e:
            raise clients.unavailable(NovaUnavailable, GROUP, self.url, e)
        if resp.status_code == 404:
            raise NotFound(path)
        if resp.status_code == 401:
            raise auth.token_refused('Nova', self.url, self.context)
        if resp.status_code >= 500:
            raise clients.unavailable(
                NovaUnavailable, GROUP, self.url, ks_exc.HttpError(
                    details=resp.text[:200], http_status=resp.status_code))
        if resp.status_code >= 400:
            LOG.warning('Nova at %s answered %s to GET %s: %s', self.url,
                        resp.status_code, path, resp.text[:200])
            raise exception.KarborException(
                'Nova answered HTTP %s to GET %s' % (resp.status_code,
                                                     path))
        try:
            return resp.json()
        except ValueError as e:
            raise clients.unavailable(NovaUnavailable, GROUP, self.url, e)

    def list_servers(self):
        """Every server of the caller's project, following Nova's pages."""
        servers = []
        params = {}
        while True:
            body = self._get('/servers/detail', params or None)
            page = body.get('servers') or []
            servers.extend(page)
            more = [link for link in body.get('servers_links') or []
                    if link.get('rel') == 'next']
            if not more or not page:
                return servers
            params = {'marker': page[-1]['id']}

    def get_server(self, server_id):
        return self._get('/servers/%s' % server_id)['server']


def client(context, conf=cfg.CONF):
    return Nova(context, conf)
