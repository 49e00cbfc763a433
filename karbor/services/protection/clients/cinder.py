"""python-cinderclient (block storage API v3) on the caller's behalf.

The session and the endpoint come from
:func:`karbor.services.protection.clients.connect` (``[cinder]``
``endpoint_override``, else the caller's catalog; an endpoint may hold
``%(project_id)s``, which becomes the caller's project). The credentials
are those of :mod:`karbor.services.protection.clients.auth`; a caller
without a token (a Karbor running without Keystone, talking to a Cinder
with ``auth_strategy = noauth``) sends ``<user>:<project>``, the token
form Cinder's noauth middleware reads.

Every call that cannot reach Cinder, or that Cinder answers with a server
error, raises :class:`CinderUnavailable` (503, "Cinder is unavailable:
..."; the URL and the detail go to the log); a missing volume or backup
stays ``cinderclient``'s ``NotFound``.
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

GROUP = 'cinder'
# 3.43: backup metadata; every Cinder since Queens speaks it.
API_VERSION = '3.43'

NotFound = cinder_exc.NotFound


class CinderUnavailable(exception.KarborException):
    msg_fmt = _('%(service)s is unavailable: %(reason)s')
    code = 503
    fault_name = 'serviceUnavailable'
    safe = True


@contextlib.contextmanager
def translate_errors(url, context=None):
    """Connection failures and 5xx answers -> CinderUnavailable; 401
    -> TokenRefused."""
    try:
        yield
    except CinderUnavailable:
        raise
    except (ks_exc.ConnectionError, ks_exc.RequestTimeout,
            ks_exc.DiscoveryFailure, cinder_exc.ConnectionError) as e:
        raise clients.unavailable(CinderUnavailable, GROUP, url, e)
    except ks_exc.HttpError as e:
        if e.http_status == 401:
            raise auth.token_refused('Cinder', url, context)
        if e.http_status and e.http_status >= 500:
            raise clients.unavailable(CinderUnavailable, GROUP, url, e)
        raise
    except cinder_exc.ClientException as e:
        code = int(getattr(e, 'code', 0) or 0)
        if code == 401:
            raise auth.token_refused('Cinder', url, context)
        if code >= 500:
            raise clients.unavailable(CinderUnavailable, GROUP, url, e)
        raise


class Cinder:
    """A cinderclient for one caller; ``call`` translates errors."""

    def __init__(self, context, conf=cfg.CONF):
        self.context = context
        session, self.url = clients.connect(context, GROUP, conf)
        self.client = cinder_client.Client(API_VERSION, session=session,
                                           endpoint_override=self.url)

    def call(self, function, *args, **kwargs):
        with translate_errors(self.url, self.context):
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
