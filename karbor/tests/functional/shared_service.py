"""A real service (Swift, Glance, Cinder) shared by the functional tests.

Each service has a ``tools/<name>/<name>.sh`` that installs it from PyPI
into a virtual environment of its own and runs it on 127.0.0.1
(``install|start|stop|status``); ``start`` and ``status`` print
``KARBOR_<NAME>_<KEY>=value`` lines that say how to reach it.

stestr runs tests in several processes at once. Starting is serialised by
a lock file (``fcntl.flock``) in the service's state directory, and the
processes that use the service register there: the last one to exit stops
it, and only if a test process started it. A service that was already
running (started by hand) is reused and left running; so is one whose
``KARBOR_<NAME>_KEEP`` is set.

A service that cannot be installed or started makes every test that needs
it fail with the reason, never skip.
"""

import atexit
import fcntl
import os
import subprocess
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

# pip install on a cold cache, then the start itself.
START_TIMEOUT = 900
START_ATTEMPTS = 2


class _Registry:
    """Who uses the service, kept in files under its state directory and
    read and changed only under the lock."""

    def __init__(self, directory):
        self.lock_path = os.path.join(directory, 'fixture.lock')
        self.users = os.path.join(directory, 'fixture-users')
        # Present while the service runs because a test process started it.
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


class SharedService:
    """``ensure()`` gives the ``{KEY: value}`` that the running service
    printed, starting it at most once per process.

    ``environment``: for a second instance of a service's script, set
    apart from the first by the environment it runs under (another port,
    another database...): a function of the action (``start``,
    ``status``, ``stop``) giving the variables to add. Such an instance
    lives in ``default_dir`` whatever ``KARBOR_<NAME>_DIR`` says (that
    one names the first instance's).
    """

    def __init__(self, name, default_dir, required_keys, environment=None):
        self.name = name
        self.prefix = 'KARBOR_%s_' % name.upper()
        self.script = os.path.join(REPO, 'tools', name, '%s.sh' % name)
        self.default_dir = default_dir
        self.required_keys = required_keys
        self.environment = environment
        self._lock = threading.Lock()
        self._values = None
        self._failure = None

    def state_dir(self):
        if self.environment is not None:
            return self.default_dir
        return os.environ.get(self.prefix + 'DIR', self.default_dir)

    def run(self, action, timeout=120):
        env = None
        if self.environment is not None:
            env = dict(os.environ)
            env[self.prefix + 'DIR'] = self.state_dir()
            env.update(self.environment(action))
        try:
            return subprocess.run([self.script, action],
                                  stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True,
                                  timeout=timeout, env=env)
        except (OSError, subprocess.SubprocessError) as e:
            return subprocess.CompletedProcess([self.script, action], -1, '',
                                               str(e))

    def _parse(self, result):
        values = dict(line[len(self.prefix):].split('=', 1)
                      for line in result.stdout.splitlines()
                      if line.startswith(self.prefix) and '=' in line)
        missing = [k for k in self.required_keys if k not in values]
        if missing:
            raise AssertionError('%s did not print %s:\n%s%s' % (
                self.script, ', '.join(self.prefix + k for k in missing),
                result.stdout, result.stderr))
        return values

    def _start(self):
        registry = _Registry(self.state_dir())
        with registry:
            status = self.run('status')
            if status.returncode != 0:
                # Once more if the first start fails: on a loaded machine a
                # service can miss its readiness deadline, and start begins
                # by ending what a failed start left.
                failures = []
                for _attempt in range(START_ATTEMPTS):
                    started = self.run('start', timeout=START_TIMEOUT)
                    if started.returncode == 0:
                        break
                    failures.append('exit %s:\n%s%s' % (
                        started.returncode, started.stdout, started.stderr))
                else:
                    raise AssertionError(
                        '%s could not be started by %s start (%d '
                        'attempts); the tests that use it need it.\n%s' % (
                            self.name, self.script, START_ATTEMPTS,
                            '\n'.join(failures)))
                open(registry.started_marker, 'w').close()
                status = started
            registry.add(os.getpid())
        atexit.register(self._release, os.getpid())
        return self._parse(status)

    def _release(self, pid):
        if pid != os.getpid():  # a fork of the process that registered
            return
        registry = _Registry(self.state_dir())
        with registry:
            registry.remove(pid)
            if (registry.in_use() or
                    not os.path.exists(registry.started_marker) or
                    os.environ.get(self.prefix + 'KEEP')):
                return
            self.run('stop')
            os.unlink(registry.started_marker)

    def ensure(self):
        """The values of the running service; AssertionError if there is
        none. A failure is remembered, so that the next tests fail at once
        with the same reason."""
        with self._lock:
            if self._values is None:
                if self._failure is not None:
                    raise AssertionError(self._failure)
                try:
                    self._values = self._start()
                except AssertionError as e:
                    self._failure = str(e)
                    raise
            return self._values
