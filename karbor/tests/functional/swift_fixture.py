"""A real OpenStack Swift for the functional tests.

``tools/swift/swift.sh`` installs Swift 2.38 from PyPI into a virtual
environment of its own and runs it on 127.0.0.1 with tempauth (and s3api).
:func:`ensure_swift` makes sure it is running, once per test process, and
returns its endpoint; :class:`SwiftContainer` gives a test a container of
its own, emptied and removed at clean-up.

stestr runs tests in several processes at once. Starting is serialised by
a lock file (``fcntl.flock``) in the Swift state directory, and the
processes that use Swift register there: the last one to exit stops Swift,
and only if a test process started it. A Swift that was already running
(``tools/swift/swift.sh start`` by hand) is reused and left running, which
also saves its start time on repeated runs.

Swift that cannot be installed or started makes every test that needs it
fail with the reason, never skip.
"""

import atexit
import collections
import fcntl
import os
import subprocess
import threading
import uuid

import fixtures

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'tools', 'swift', 'swift.sh')

# pip install on a cold cache, then the start itself.
START_TIMEOUT = 900

Endpoint = collections.namedtuple(
    'Endpoint', ['auth_url', 'user', 'key', 's3_endpoint'])

_lock = threading.Lock()
_endpoint = None
_failure = None


def state_dir():
    return os.environ.get('KARBOR_SWIFT_DIR', '/tmp/karbor-swift')


def _run(action, timeout=120):
    try:
        return subprocess.run([SCRIPT, action], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.SubprocessError) as e:
        return subprocess.CompletedProcess([SCRIPT, action], -1, '', str(e))


def _parse(output):
    values = dict(line.split('=', 1) for line in output.splitlines()
                  if line.startswith('KARBOR_SWIFT_') and '=' in line)
    return Endpoint(values['KARBOR_SWIFT_AUTH_URL'],
                    values['KARBOR_SWIFT_USER'],
                    values['KARBOR_SWIFT_KEY'],
                    values['KARBOR_SWIFT_S3_ENDPOINT'])


class _Registry:
    """Who uses Swift, kept in files under the state directory and read
    and changed only under the lock."""

    def __init__(self, directory):
        self.lock_path = os.path.join(directory, 'fixture.lock')
        self.users = os.path.join(directory, 'fixture-users')
        # Present while Swift runs because a test process started it.
        self.started_marker = os.path.join(directory, 'fixture-started')

    def __enter__(self):
        os.makedirs(self.users, exist_ok=True)
        self._file = open(self.lock_path, 'a')
        fcntl.flock(self._file, fcntl.LOCK_EX)
        self._prune()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()

    def _prune(self):
        for name in os.listdir(self.users):
            try:
                os.kill(int(name), 0)
            except (ValueError, ProcessLookupError):
                os.unlink(os.path.join(self.users, name))
            except PermissionError:
                pass  # alive, someone else's

    def add(self, pid):
        open(os.path.join(self.users, str(pid)), 'w').close()

    def remove(self, pid):
        try:
            os.unlink(os.path.join(self.users, str(pid)))
        except FileNotFoundError:
            pass

    def in_use(self):
        return bool(os.listdir(self.users))


def _start():
    registry = _Registry(state_dir())
    with registry:
        status = _run('status')
        if status.returncode != 0:
            started = _run('start', timeout=START_TIMEOUT)
            if started.returncode != 0:
                raise AssertionError(
                    'Swift could not be started by %s start (exit %s); the '
                    'Swift bank tests need it.\n%s%s' %
                    (SCRIPT, started.returncode, started.stdout,
                     started.stderr))
            open(registry.started_marker, 'w').close()
            status = started
        registry.add(os.getpid())
    atexit.register(_release, os.getpid())
    try:
        return _parse(status.stdout)
    except KeyError:
        raise AssertionError('%s did not print the Swift endpoint:\n%s%s' %
                             (SCRIPT, status.stdout, status.stderr))


def _release(pid):
    if pid != os.getpid():  # a fork of the process that registered
        return
    registry = _Registry(state_dir())
    with registry:
        registry.remove(pid)
        if (registry.in_use() or
                not os.path.exists(registry.started_marker) or
                os.environ.get('KARBOR_SWIFT_KEEP')):
            return
        _run('stop')
        os.unlink(registry.started_marker)


def ensure_swift():
    """The :class:`Endpoint` of a running Swift; AssertionError if there
    is none. Swift is started at most once per process; a failure is
    remembered, so that the next tests fail at once with the same
    reason."""
    global _endpoint, _failure
    with _lock:
        if _endpoint is None:
            if _failure is not None:
                raise AssertionError(_failure)
            try:
                _endpoint = _start()
            except AssertionError as e:
                _failure = str(e)
                raise
        return _endpoint


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
