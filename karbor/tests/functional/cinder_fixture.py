"""A real OpenStack Cinder for the functional tests.

``tools/cinder/cinder.sh`` installs Cinder 29 from PyPI into a virtual
environment of its own and runs api (noauth), scheduler, volume (a
file-backed test driver) and backup (posix driver) on 127.0.0.1, over the
machine's PostgreSQL and RabbitMQ. :func:`ensure_cinder` makes sure it is
running, once per test process, and returns its endpoint.

Shared between the test processes as
:mod:`karbor.tests.functional.shared_service` describes.
"""

import collections

from karbor.tests.functional import shared_service

Endpoint = collections.namedtuple('Endpoint',
                                  ['url', 'project', 'volume_dir'])

SERVICE = shared_service.SharedService(
    'cinder', '/tmp/karbor-cinder', ['ENDPOINT', 'PROJECT', 'VOLUME_DIR'])


def ensure_cinder():
    """The :class:`Endpoint` of a running Cinder; AssertionError if there
    is none."""
    values = SERVICE.ensure()
    return Endpoint(values['ENDPOINT'], values['PROJECT'],
                    values['VOLUME_DIR'])
