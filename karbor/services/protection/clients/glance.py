"""Glance (image service) on the caller's behalf, through
python-glanceclient's v2 API over a keystoneauth session.

The endpoint is ``[glance_client] endpoint`` or the caller's service
catalog (see :func:`karbor.services.protection.clients.endpoint`); the
caller's token (and the service user's, see
:mod:`karbor.services.protection.clients.auth`) goes with every request.
A Glance that cannot be reached raises :class:`GlanceUnavailable` ("Glance
unavailable at <url>: ..."), so that plan creation answers 503 and an
operation's reason says which Glance failed; one that refuses the token
raises ``TokenRefused``.
"""

import contextlib

from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
import requests

from karbor.common import exception
from karbor.services.protection import clients
from karbor.services.protection.clients import auth

GROUP = 'glance_client'

# What glanceclient raises when the service itself is not there (or not
# answering), as opposed to an answer about the request.
_UNREACHABLE = (
    glance_exc.CommunicationError,
    glance_exc.InvalidEndpoint,
    glance_exc.HTTPServiceUnavailable,
    glance_exc.HTTPBadGateway,
    ks_exc.ConnectionError,
    ks_exc.RequestTimeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,
)


class GlanceUnavailable(exception.ServiceUnavailable):
    msg_fmt = 'Glance unavailable at %(url)s: %(reason)s'


class GlanceClient:
    """A glanceclient v2 client and the URL it talks to; use
    :meth:`reachable` around calls so that connection failures become
    :class:`GlanceUnavailable`."""

    def __init__(self, context, conf=cfg.CONF):
        self.url = clients.endpoint(context, GROUP, conf)
        self.conf = conf
        self.client = glance_client.Client(
            '2', session=auth.session(context, self.url, GROUP, conf),
            endpoint_override=self.url)

    @property
    def images(self):
        return self.client.images

    @contextlib.contextmanager
    def reachable(self):
        try:
            yield
        except _UNREACHABLE as e:
            raise GlanceUnavailable(url=self.url, reason=_describe(e))
        except glance_exc.HTTPUnauthorized:
            raise auth.token_refused('Glance', self.url, self.conf)

    def stream(self, chunks):
        """The chunks of a body glanceclient streams from Glance, with a
        failure while reading them as :class:`GlanceUnavailable` (and
        nothing else that the consumer does in between)."""
        iterator = iter(chunks)
        while True:
            with self.reachable():
                chunk = next(iterator, None)
            if chunk is None:
                return
            yield chunk


def _describe(error):
    text = str(error) or error.__class__.__name__
    # requests' messages repeat the pool and the URL at length.
    return text if len(text) <= 300 else text[:297] + '...'


def create(context, conf=cfg.CONF):
    """A :class:`GlanceClient` for ``context``; EndpointNotFound when there
    is no Glance endpoint."""
    return GlanceClient(context, conf)


def is_not_found(error):
    return isinstance(error, glance_exc.HTTPNotFound)
