"""A real OpenStack Glance for the functional tests.

``tools/glance/glance.sh`` installs Glance 33 from PyPI into a virtual
environment of its own and runs it under gunicorn on 127.0.0.1, without
Keystone, with SQLite and the file store. :func:`ensure_glance` makes sure
it is running, once per test process, and returns its endpoint.
:func:`ensure_keystone_glance` does the same for a second instance behind
the real Keystone of :mod:`keystone_fixture` (keystonemiddleware with its
own service user, today's policy defaults), with the first one's virtual
environment.

Shared between the test processes as
:mod:`karbor.tests.functional.shared_service` describes.
"""

import os

from karbor.tests.functional import keystone_fixture
from karbor.tests.functional import shared_service

SERVICE = shared_service.SharedService('glance', '/tmp/karbor-glance',
                                       ['ENDPOINT'])

KEYSTONE_GLANCE_DIR = '/tmp/karbor-glance-keystone'
KEYSTONE_GLANCE_PORT = 19293


def _keystone_environment(action):
    env = {'KARBOR_GLANCE_PORT': str(KEYSTONE_GLANCE_PORT),
           'KARBOR_GLANCE_AUTH': 'keystone',
           'KARBOR_GLANCE_VENV': os.environ.get(
               'KARBOR_GLANCE_VENV',
               os.path.join(SERVICE.state_dir(), 'venv'))}
    if action == 'start':
        # Known by then: ensure_keystone_glance() asked first.
        keystone = keystone_fixture.ensure_keystone()
        env.update(KARBOR_GLANCE_KEYSTONE_URL=keystone.auth_url,
                   KARBOR_GLANCE_KEYSTONE_PASSWORD=keystone.passwords[
                       'glance'])
    return env


# A second Glance, behind the Keystone of keystone_fixture, sharing the
# first one's virtual environment.
KEYSTONE_SERVICE = shared_service.SharedService(
    'glance', KEYSTONE_GLANCE_DIR, ['ENDPOINT', 'AUTH'],
    _keystone_environment)


def ensure_glance():
    """The endpoint URL of a running Glance; AssertionError if there is
    none."""
    return SERVICE.ensure()['ENDPOINT']


def ensure_keystone_glance():
    """The endpoint URL of a running Glance behind the Keystone of
    keystone_fixture (which is started first); AssertionError if there is
    none."""
    keystone_fixture.ensure_keystone()
    values = KEYSTONE_SERVICE.ensure()
    if values['AUTH'] != 'keystone':
        raise AssertionError('the Glance at %s runs without Keystone' %
                             values['ENDPOINT'])
    return values['ENDPOINT']


def client(endpoint=None):
    """A glanceclient v2 client of the test's own (Glance takes any
    token)."""
    import glanceclient
    return glanceclient.Client('2', endpoint=endpoint or ensure_glance(),
                               token='karbor-test')
