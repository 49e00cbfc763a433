"""A real OpenStack Glance for the functional tests.

``tools/glance/glance.sh`` installs Glance 33 from PyPI into a virtual
environment of its own and runs it under gunicorn on 127.0.0.1, without
Keystone, with SQLite and the file store. :func:`ensure_glance` makes sure
it is running, once per test process, and returns its endpoint.

stestr runs tests in several processes at once. Starting is serialised by
a lock file (``fcntl.flock``) in the Glance state directory, and the
processes that use Glance register there: the last one to exit stops
Glance, and only if a test process started it. A Glance that was already
running (``tools/glance/glance.sh start`` by hand) is reused and left
running, which also saves its start time on repeated runs.

Glance that cannot be installed or started makes every test that needs it
fail with the reason, never skip.
"""

import atexit
import fcntl
import os
import subprocess
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'tools', 'glance', 'glance.sh')

# pip install on a cold cache, then the start itself.
START_TIMEOUT = 900

_lock = threading.Lock()
_endpoint = None
_failure = None


def state_dir():
    return os.environ.get('KARBOR_GLANCE_DIR', '/tmp/karbor-glance')


def _run(action, timeout=120):
    try:
        return subprocess.run([SCRIPT, action], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.SubprocessError) as e:
        return subprocess.CompletedProcess([SCRIPT, action], -1, '', str(e))


def _parse(output):
    for line in output.splitlines():
        if line.startswith('KARBOR_GLANCE_ENDPOINT='):
            return line.split('=', 1)[1].strip()
    raise KeyError('KARBOR_GLANCE_ENDPOINT')


class _Registry:
    """Who uses Glance, kept in files under the state directory and read
    and changed only under the lock."""

    def __init__(self, directory):
        self.lock_path = os.path.join(directory, 'fixture.lock')
        self.users = os.path.join(directory, 'fixture-users')
        # Present while Glance runs because a test process started it.
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
                    'Glance could not be started by %s start (exit %s); the '
                    'Glance image tests need it.\n%s%s' %
                    (SCRIPT, started.returncode, started.stdout,
                     started.stderr))
            open(registry.started_marker, 'w').close()
            status = started
        registry.add(os.getpid())
    atexit.register(_release, os.getpid())
    try:
        return _parse(status.stdout)
    except KeyError:
        raise AssertionError('%s did not print the Glance endpoint:\n%s%s' %
                             (SCRIPT, status.stdout, status.stderr))


def _release(pid):
    if pid != os.getpid():  # a fork of the process that registered
        return
    registry = _Registry(state_dir())
    with registry:
        registry.remove(pid)
        if (registry.in_use() or
                not os.path.exists(registry.started_marker) or
                os.environ.get('KARBOR_GLANCE_KEEP')):
            return
        _run('stop')
        os.unlink(registry.started_marker)


def ensure_glance():
    """The endpoint URL of a running Glance; AssertionError if there is
    none. Glance is started at most once per process; a failure is
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


def client(endpoint=None):
    """A glanceclient v2 client of the test's own (Glance takes any
    token)."""
    import glanceclient
    return glanceclient.Client('2', endpoint=endpoint or ensure_glance(),
                               token='karbor-test')
