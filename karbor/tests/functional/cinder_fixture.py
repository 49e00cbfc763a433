"""A real OpenStack Cinder for the functional tests.

``tools/cinder/cinder.sh`` installs Cinder 29 from PyPI into a virtual
environment of its own and runs api (noauth), scheduler, volume (a
file-backed test driver) and backup on 127.0.0.1, over the machine's
PostgreSQL and RabbitMQ. :func:`ensure_cinder` makes sure it is running,
once per test process, and returns its endpoint; its backups go to a
directory (posix driver).

:func:`ensure_cinder_swift_backups` does the same for a second instance of
the script whose backups go into the Swift of :mod:`swift_fixture` (swift
driver). It has a state directory, API port, database and RabbitMQ vhost of
its own, and the first instance's virtual environment, so that Cinder is
installed once.

Both are shared between the test processes as
:mod:`karbor.tests.functional.shared_service` describes;
``KARBOR_CINDER_KEEP`` keeps both running at the end.
"""

import collections
import os

from karbor.tests.functional import shared_service
from karbor.tests.functional import swift_fixture

Endpoint = collections.namedtuple('Endpoint',
                                  ['url', 'project', 'volume_dir'])

SwiftBackupsEndpoint = collections.namedtuple(
    'SwiftBackupsEndpoint',
    ['url', 'project', 'volume_dir', 'swift', 'container'])

SERVICE = shared_service.SharedService(
    'cinder', '/tmp/karbor-cinder', ['ENDPOINT', 'PROJECT', 'VOLUME_DIR'])

SWIFT_BACKUPS_DIR = '/tmp/karbor-cinder-swift'
SWIFT_BACKUPS_PORT = 18777
SWIFT_BACKUPS_CONTAINER = 'karbor-cinder-backups'


def _swift_backups_environment(action):
    env = {'KARBOR_CINDER_PORT': str(SWIFT_BACKUPS_PORT),
           'KARBOR_CINDER_DB': 'karbor_cinder_swift',
           'KARBOR_CINDER_VHOST': 'karbor-cinder-swift',
           'KARBOR_CINDER_BACKUP': 'swift',
           'KARBOR_CINDER_SWIFT_CONTAINER': SWIFT_BACKUPS_CONTAINER,
           'KARBOR_CINDER_VENV': os.environ.get(
               'KARBOR_CINDER_VENV',
               os.path.join(SERVICE.state_dir(), 'venv'))}
    if action == 'start':
        # Known by then: ensure_cinder_swift_backups() asked first.
        swift = swift_fixture.ensure_swift()
        env.update(KARBOR_CINDER_SWIFT_AUTH_URL=swift.auth_url,
                   KARBOR_CINDER_SWIFT_USER=swift.user,
                   KARBOR_CINDER_SWIFT_KEY=swift.key)
    return env


SWIFT_BACKUPS_SERVICE = shared_service.SharedService(
    'cinder', SWIFT_BACKUPS_DIR,
    ['ENDPOINT', 'PROJECT', 'VOLUME_DIR', 'BACKUP', 'SWIFT_CONTAINER'],
    _swift_backups_environment)


def ensure_cinder():
    """The :class:`Endpoint` of a running Cinder; AssertionError if there
    is none."""
    values = SERVICE.ensure()
    return Endpoint(values['ENDPOINT'], values['PROJECT'],
                    values['VOLUME_DIR'])


def ensure_cinder_swift_backups():
    """The :class:`SwiftBackupsEndpoint` of a running Cinder whose backups
    go into the running Swift (``swift``: its
    :class:`swift_fixture.Endpoint`, ``container``: the container of the
    backups); AssertionError if there is none."""
    # Swift first: Cinder's start checks that Swift lets it in, and Swift
    # is stopped after this Cinder (atexit runs the last registered first).
    swift = swift_fixture.ensure_swift()
    values = SWIFT_BACKUPS_SERVICE.ensure()
    if values['BACKUP'] != 'swift':
        raise AssertionError(
            'the Cinder at %s keeps its backups in %s, not in Swift' % (
                SWIFT_BACKUPS_DIR, values['BACKUP']))
    return SwiftBackupsEndpoint(values['ENDPOINT'], values['PROJECT'],
                                values['VOLUME_DIR'], swift,
                                values['SWIFT_CONTAINER'])
