"""Glance (image service) on the caller's behalf, through
python-glanceclient's v2 API over a keystoneauth session.

The session and the endpoint come from
:func:`karbor.services.protection.clients.connect` (``[glance]``
``endpoint_override`` or the caller's service catalog), the credentials
from :mod:`karbor.services.protection.clients.auth`. A Glance that cannot
be reached raises :class:`GlanceUnavailable` ("Glance is unavailable:
..."; the URL and the detail go to the log), so that plan creation answers
503 and an operation's reason says that Glance failed; one that refuses
the token raises ``TokenRefused``.
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

GROUP = 'glance'

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
    msg_fmt = '%(service)s is unavailable: %(reason)s'


class GlanceClient:
    """A glanceclient v2 client and the URL it talks to; use
    :meth:`reachable` around calls so that connection failures become
    :class:`GlanceUnavailable`."""

    def __init__(self, context, conf=cfg.CONF):
        session, self.url = clients.connect(context, GROUP, conf)
        self.context = context
        self.conf = conf
        self.client = glance_client.Client('2', session=session,
                                           endpoint_override=self.url)

    @property
    def images(self):
        return self.client.images

    @contextlib.contextmanager
    def reachable(self):
        try:
            yield
        except _UNREACHABLE as e:
            raise clients.unavailable(GlanceUnavailable, GROUP, self.url, e)
        except glance_exc.HTTPUnauthorized:
            raise auth.token_refused('Glance', self.url, self.context,
                                     self.conf)

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


def create(context, conf=cfg.CONF):
    """A :class:`GlanceClient` for ``context``; EndpointNotFound when there
    is no Glance endpoint."""
    return GlanceClient(context, conf)


def is_not_found(error):
    return isinstance(error, glance_exc.HTTPNotFound)
