"""A real OpenStack Cinder for the functional tests.

``tools/cinder/cinder.sh`` installs Cinder 29 from PyPI into a virtual
environment of its own and runs api (noauth), scheduler, volume (a
file-backed test driver) and backup (posix driver) on 127.0.0.1, over the
machine's PostgreSQL and RabbitMQ. :func:`ensure_cinder` makes sure it is
running, once per test process, and returns its endpoint.

stestr runs tests in several processes at once. Starting is serialised by
a lock file (``fcntl.flock``) in the Cinder state directory, and the
processes that use Cinder register there: the last one to exit stops
Cinder, and only if a test process started it. A Cinder already running
(``tools/cinder/cinder.sh start`` by hand) is reused and left running.

A Cinder that cannot be installed or started makes every test that needs
it fail with the reason, never skip.
"""

import atexit
import collections
import fcntl
import os
import subprocess
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'tools', 'cinder', 'cinder.sh')

# pip install on a cold cache, then the start itself.
START_TIMEOUT = 900

Endpoint = collections.namedtuple('Endpoint',
                                  ['url', 'project', 'volume_dir'])

_lock = threading.Lock()
_endpoint = None
_failure = None


def state_dir():
    return os.environ.get('KARBOR_CINDER_DIR', '/tmp/karbor-cinder')


def run(action, timeout=120):
    try:
        return subprocess.run([SCRIPT, action], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.SubprocessError) as e:
        return subprocess.CompletedProcess([SCRIPT, action], -1, '', str(e))


def _parse(output):
    values = dict(line.split('=', 1) for line in output.splitlines()
                  if line.startswith('KARBOR_CINDER_') and '=' in line)
    return Endpoint(values['KARBOR_CINDER_ENDPOINT'],
                    values['KARBOR_CINDER_PROJECT'],
                    values['KARBOR_CINDER_VOLUME_DIR'])


class _Registry:
    """Which test processes use Cinder: files under the state directory,
    read and changed only under the lock."""

    def __init__(self, directory):
        self.lock_path = os.path.join(directory, 'fixture.lock')
        self.users = os.path.join(directory, 'fixture-users')
        # Present while Cinder runs because a test process started it.
        self.started_marker = os.path.join(directory, 'fixture-started')

    def __enter__(self):
        os.makedirs(self.users, exist_ok=True)
        self._file = open(self.lock_path, 'a')
        fcntl.flock(self._file, fcntl.LOCK_EX)
        for name in os.listdir(self.users):   # forget the dead
            try:
                os.kill(int(name), 0)
            except (ValueError, ProcessLookupError):
                os.unlink(os.path.join(self.users, name))
            except PermissionError:
                pass
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()

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
        status = run('status', timeout=60)
        if status.returncode != 0:
            started = run('start', timeout=START_TIMEOUT)
            if started.returncode != 0:
                raise AssertionError(
                    'Cinder could not be started by %s start (exit %s); the '
                    'Cinder tests need it.\n%s%s' %
                    (SCRIPT, started.returncode, started.stdout,
                     started.stderr))
            open(registry.started_marker, 'w').close()
            status = started
        registry.add(os.getpid())
    atexit.register(_release, os.getpid())
    try:
        return _parse(status.stdout)
    except KeyError:
        raise AssertionError('%s did not print the Cinder endpoint:\n%s%s' %
                             (SCRIPT, status.stdout, status.stderr))


def _release(pid):
    if pid != os.getpid():  # a fork of the process that registered
        return
    registry = _Registry(state_dir())
    with registry:
        registry.remove(pid)
        if (registry.in_use() or
                not os.path.exists(registry.started_marker) or
                os.environ.get('KARBOR_CINDER_KEEP')):
            return
        run('stop')
        os.unlink(registry.started_marker)


def ensure_cinder():
    """The :class:`Endpoint` of a running Cinder; AssertionError if there
    is none. Started at most once per process; a failure is remembered,
    so that the next tests fail at once with the same reason."""
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
