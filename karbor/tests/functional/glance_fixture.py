"""A real OpenStack Glance for the functional tests.

``tools/glance/glance.sh`` installs Glance 33 from PyPI into a virtual
environment of its own and runs it under gunicorn on 127.0.0.1, without
Keystone, with SQLite and the file store. :func:`ensure_glance` makes sure
it is running, once per test process, and returns its endpoint.

Shared between the test processes as
:mod:`karbor.tests.functional.shared_service` describes.
"""

from karbor.tests.functional import shared_service

SERVICE = shared_service.SharedService('glance', '/tmp/karbor-glance',
                                       ['ENDPOINT'])


def ensure_glance():
    """The endpoint URL of a running Glance; AssertionError if there is
    none."""
    return SERVICE.ensure()['ENDPOINT']


def client(endpoint=None):
    """A glanceclient v2 client of the test's own (Glance takes any
    token)."""
    import glanceclient
    return glanceclient.Client('2', endpoint=endpoint or ensure_glance(),
                               token='karbor-test')
