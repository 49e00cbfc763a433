"""Nova (compute API v2.1) on the caller's behalf, through keystoneauth1.

The endpoint is ``[nova_client] endpoint`` or the caller's service catalog
(see :func:`karbor.services.protection.clients.endpoint`); an endpoint may
hold ``%(project_id)s``, which becomes the caller's project. The caller's
token goes with every request (a caller without one sends
``<user>:<project>``, the token form of Nova's noauth middleware).

A Nova that cannot be reached, or that answers with a server error, raises
:class:`NovaUnavailable` (503, "Nova unavailable at <url>: ..."); a server
that does not exist raises :class:`NotFound`.
"""

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg

from karbor.common import exception
from karbor.services.protection import clients
from karbor.services.protection.clients import auth

GROUP = 'nova_client'
# 2.1: the base microversion; every field read here is in it.
API_VERSION = '2.1'


class NovaUnavailable(exception.ServiceUnavailable):
    msg_fmt = 'Nova unavailable at %(url)s: %(reason)s'


class NotFound(Exception):
    """Nova answered 404."""


def endpoint_url(context, conf=cfg.CONF):
    url = clients.endpoint(context, GROUP, conf)
    if '%(project_id)s' in url:
        url = url.replace('%(project_id)s', context.project_id or '')
    return url


class Nova:
    """The servers of one caller in one Nova."""

    def __init__(self, context, conf=cfg.CONF):
        self.url = endpoint_url(context, conf)
        self.session = auth.session(context, self.url, GROUP, conf)

    def _get(self, path, params=None):
        try:
            resp = self.session.get(
                self.url + path, params=params, raise_exc=False,
                headers={'Accept': 'application/json',
                         'OpenStack-API-Version': 'compute %s' % API_VERSION,
                         'X-OpenStack-Nova-API-Version': API_VERSION})
        except (ks_exc.ConnectionError, ks_exc.RequestTimeout,
                ks_exc.DiscoveryFailure) as e:
            raise NovaUnavailable(url=self.url, reason=e)
        if resp.status_code == 404:
            raise NotFound(path)
        if resp.status_code == 401:
            raise auth.token_refused('Nova', self.url)
        if resp.status_code >= 500:
            raise NovaUnavailable(url=self.url, reason='HTTP %s %s' % (
                resp.status_code, resp.text[:200]))
        if resp.status_code >= 400:
            raise exception.KarborException(
                'Nova at %s answered %s to GET %s: %s' % (
                    self.url, resp.status_code, path, resp.text[:200]))
        try:
            return resp.json()
        except ValueError as e:
            raise NovaUnavailable(url=self.url,
                                  reason='not JSON: %s' % e)

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
