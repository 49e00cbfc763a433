"""A real Horizon 27 with Karbor's panels (``dashboard/``), logging users
in to the Keystone of :mod:`keystone_fixture`, for the browser tests.

``tools/horizon/horizon.sh`` installs it from PyPI into a virtual
environment of its own (and, when missing, Debian's chromium and
chromium-driver), installs the panels from ``dashboard/`` and runs it
under gunicorn on 127.0.0.1. Shared between the test processes as
:mod:`karbor.tests.functional.shared_service` describes:
installed once, started once per run; ``KARBOR_HORIZON_KEEP`` keeps it
running at the end.
"""

from karbor.tests.functional import shared_service

SERVICE = shared_service.SharedService(
    'horizon', '/tmp/karbor-horizon', ['URL', 'KEYSTONE_URL'])


def ensure_horizon(keystone):
    """The URL of the running Horizon; it must log users in to
    ``keystone`` (a :class:`keystone_fixture.Keystone`)."""
    values = SERVICE.ensure()
    if values['KEYSTONE_URL'].rstrip('/') != keystone.auth_url.rstrip('/'):
        raise AssertionError(
            'Horizon at %s logs users in to %s, not to the tests\' Keystone '
            '%s: set KARBOR_HORIZON_KEYSTONE_URL and restart it '
            '(tools/horizon/horizon.sh stop && start)' % (
                values['URL'], values['KEYSTONE_URL'], keystone.auth_url))
    return values['URL']
