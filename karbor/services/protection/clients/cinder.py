"""python-cinderclient (block storage API v3) on the caller's behalf.

The endpoint comes from :func:`karbor.services.protection.clients.endpoint`
(``[cinder_client] endpoint``, else the caller's catalog); an endpoint may
hold ``%(project_id)s``, which becomes the caller's project. The token is
the caller's own; a caller without one (a Karbor running without Keystone,
talking to a Cinder with ``auth_strategy = noauth``) sends
``<user>:<project>``, the token form Cinder's noauth middleware reads.

Every call that cannot reach Cinder, or that Cinder answers with a server
error, raises :class:`CinderUnavailable` (503, "Cinder unavailable at
<url>: ..."); a missing volume or backup stays ``cinderclient``'s
``NotFound``.
"""

import contextlib

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exc
from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg

from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import clients
from karbor.services.protection.clients import auth

GROUP = 'cinder_client'
# 3.43: backup metadata; every Cinder since Queens speaks it.
API_VERSION = '3.43'

NotFound = cinder_exc.NotFound


class CinderUnavailable(exception.KarborException):
    msg_fmt = _('Cinder unavailable at %(url)s: %(reason)s')
    code = 503
    fault_name = 'serviceUnavailable'
    safe = True


def endpoint_url(context, conf=cfg.CONF):
    url = clients.endpoint(context, GROUP, conf)
    if '%(project_id)s' in url:
        url = url.replace('%(project_id)s', context.project_id or '')
    return url


@contextlib.contextmanager
def translate_errors(url):
    """Connection failures and 5xx answers -> CinderUnavailable; 401
    -> TokenRefused."""
    try:
        yield
    except CinderUnavailable:
        raise
    except (ks_exc.ConnectionError, ks_exc.RequestTimeout,
            ks_exc.DiscoveryFailure, cinder_exc.ConnectionError) as e:
        raise CinderUnavailable(url=url, reason=e)
    except ks_exc.HttpError as e:
        if e.http_status == 401:
            raise auth.token_refused('Cinder', url)
        if e.http_status and e.http_status >= 500:
            raise CinderUnavailable(url=url, reason=e)
        raise
    except cinder_exc.ClientException as e:
        code = int(getattr(e, 'code', 0) or 0)
        if code == 401:
            raise auth.token_refused('Cinder', url)
        if code >= 500:
            raise CinderUnavailable(url=url, reason=e)
        raise


class Cinder:
    """A cinderclient for one caller; ``call`` translates errors."""

    def __init__(self, context, conf=cfg.CONF):
        self.url = endpoint_url(context, conf)
        session = auth.session(context, self.url, GROUP, conf)
        self.client = cinder_client.Client(API_VERSION, session=session,
                                           endpoint_override=self.url)

    def call(self, function, *args, **kwargs):
        with translate_errors(self.url):
            return function(*args, **kwargs)

    def __getattr__(self, name):
        # volumes, backups, restores, volume_snapshots, ... of the client
        return _Manager(self, getattr(self.client, name))


class _Manager:
    def __init__(self, owner, manager):
        self._owner = owner
        self._manager = manager

    def __getattr__(self, name):
        attribute = getattr(self._manager, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            return self._owner.call(attribute, *args, **kwargs)
        return call


def client(context, conf=cfg.CONF):
    """The Cinder client of the caller of ``context``."""
    return Cinder(context, conf)
