"""A real OpenStack Swift for the functional tests.

``tools/swift/swift.sh`` installs Swift 2.38 from PyPI into a virtual
environment of its own and runs it on 127.0.0.1 with tempauth (and s3api).
:func:`ensure_swift` makes sure it is running, once per test process, and
returns its endpoint; :class:`SwiftContainer` gives a test a container of
its own, emptied and removed at clean-up.

Shared between the test processes as
:mod:`karbor.tests.functional.shared_service` describes.
"""

import collections
import uuid

import fixtures

from karbor.tests.functional import shared_service

Endpoint = collections.namedtuple(
    'Endpoint', ['auth_url', 'user', 'key', 's3_endpoint'])

SERVICE = shared_service.SharedService(
    'swift', '/tmp/karbor-swift',
    ['AUTH_URL', 'USER', 'KEY', 'S3_ENDPOINT'])


def ensure_swift():
    """The :class:`Endpoint` of a running Swift; AssertionError if there
    is none."""
    values = SERVICE.ensure()
    return Endpoint(values['AUTH_URL'], values['USER'], values['KEY'],
                    values['S3_ENDPOINT'])


class SwiftContainer(fixtures.Fixture):
    """A container name of its own on the running Swift, and its
    endpoint. The container (created by whoever uses it first) is emptied
    and deleted at clean-up."""

    def setUp(self):
        # Before Fixture.setUp: an AssertionError here reaches the test as
        # a failure that says why, not wrapped in a SetupError.
        self.endpoint = ensure_swift()
        super().setUp()

    def _setUp(self):
        self.auth_url = self.endpoint.auth_url
        self.user = self.endpoint.user
        self.key = self.endpoint.key
        self.name = 'karbor-test-%s' % uuid.uuid4().hex
        self.addCleanup(self._remove)

    def bank_options(self):
        """The ``[swift_bank]`` options of a provider whose bank is this
        container."""
        return {'auth_url': self.auth_url, 'auth_version': '1',
                'user': self.user, 'key': self.key,
                'container': self.name}

    def connection(self):
        import swiftclient
        return swiftclient.Connection(authurl=self.auth_url, user=self.user,
                                      key=self.key, auth_version='1')

    def _remove(self):
        import swiftclient
        conn = self.connection()
        try:
            _headers, listing = conn.get_container(self.name,
                                                   full_listing=True)
        except swiftclient.ClientException as e:
            if e.http_status == 404:
                return
            raise
        for item in listing:
            try:
                conn.delete_object(self.name, item['name'])
            except swiftclient.ClientException as e:
                if e.http_status != 404:
                    raise
        conn.delete_container(self.name)
        conn.close()


def s3_bank_options(bucket):
    """The ``[s3_bank]`` options of a provider whose bank is ``bucket`` (a
    :class:`karbor.tests.functional.banks.test_s3_bank.S3Bucket`) on
    Swift's s3api."""
    return {'endpoint_url': bucket.endpoint_url, 'region': 'us-east-1',
            'access_key': bucket.access_key,
            'secret_key': bucket.secret_key, 'bucket': bucket.name,
            'addressing_style': 'path'}
