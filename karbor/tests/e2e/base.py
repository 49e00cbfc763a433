"""What the end-to-end tests share: a running karbor-all and the real
``karbor`` shell of python-karborclient, both as separate processes."""

import ast
import json
import os
import shutil
import subprocess
import tempfile
import time

import fixtures
from oslotest import base

from karbor.tests.functional import utils

# The state directory of KarborAll: a fresh temporary one (the default), or,
# with None, no --state-path at all (karbor-all then uses its own default).
TEMPORARY = object()

START_TIMEOUT = 30
START_ATTEMPTS = 3
CLI_TIMEOUT = 60


class KarborAll(fixtures.Fixture):
    """One karbor-all on a free port of 127.0.0.1, answering ``GET /``.

    Its log lives outside the state directory (the test may want the
    state directory not to exist before the start) and is quoted in the
    error when the process does not come up. ``config_file``: a
    configuration file for ``--config-file`` (and, through it, the
    ``providers.d`` next to it); none by default.
    """

    def __init__(self, state_path=TEMPORARY, env=None, config_file=None):
        super().__init__()
        self.state_path = state_path
        self.env = env
        self.config_file = config_file

    def _setUp(self):
        if self.state_path is TEMPORARY:
            self.state_path = self.useFixture(fixtures.TempDir()).path
        self.log_dir = self.useFixture(fixtures.TempDir()).path
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = utils.free_port()
            args = ['--api-port', str(self.port)]
            if self.state_path is not None:
                args += ['--state-path', self.state_path]
            if self.config_file is not None:
                args += ['--config-file', self.config_file]
            log_path = os.path.join(self.log_dir,
                                    'karbor-all-%d.log' % self.port)
            self.process = self.useFixture(utils.KarborProcess(
                'karbor-all', args, log_path, env=self.env))
            self.spawned_at = time.monotonic()
            if self._wait_ready():
                return
            output = self.process.output()
            # free_port() cannot reserve the port: another process may
            # have taken it between our probe and karbor-all's bind.
            if 'Address already in use' not in output or \
                    attempt == START_ATTEMPTS:
                raise AssertionError(
                    'karbor-all exited with %s before answering; its log:'
                    '\n%s' % (self.process.process.returncode, output))

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.process.poll() is not None:
                return False
            try:
                status, _, _ = utils.http('GET', self.url + '/', token=None,
                                          timeout=2)
                if status == 200:
                    return True
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        raise AssertionError(
            'karbor-all did not answer GET / within %ss; its log:\n%s' % (
                START_TIMEOUT, self.process.output()))

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def project_url(self, project):
        """The --karbor-url of the client: no trailing slash."""
        return '%s/v1/%s' % (self.url, project)

    def stop(self):
        """SIGTERM; the exit code."""
        return self.process.stop()


def run_cli(karbor_url, token, *args):
    """The ``karbor`` shell of python-karborclient, unmodified, no Keystone.

    The caller's OS_* and KARBOR_* variables are left out so that only the
    command line speaks.
    """
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('OS_', 'KARBOR_'))}
    command = [utils.executable('karbor'), '--os-no-client-auth',
               '--karbor-url', karbor_url, '--os-auth-token', token]
    command += list(args)
    return subprocess.run(command, capture_output=True, text=True, env=env,
                          timeout=CLI_TIMEOUT)


def parse_table(text):
    """The rows of the prettytable the shell prints, as dicts by header.

    A cell that spans several lines (the shell prints JSON over many) is
    joined back with newlines: a line whose first cell is empty continues
    the row before it.
    """
    lines = [line for line in text.splitlines() if line.startswith('|')]
    if not lines:
        raise AssertionError('No table in the output:\n%s' % text)

    def cells(line):
        return [cell.strip() for cell in line.strip().strip('|').split('|')]

    header = cells(lines[0])
    rows = []
    for line in lines[1:]:
        values = cells(line)
        if rows and values[0] == '':
            for key, value in zip(header, values):
                if value:
                    rows[-1][key] = (rows[-1][key] + '\n' + value
                                     if rows[-1][key] else value)
        else:
            rows.append(dict(zip(header, values)))
    return rows


def parse_show(text):
    """A ``Property | Value`` table as a dict; JSON values decoded."""
    shown = {}
    for row in parse_table(text):
        value = row['Value']
        if value[:1] in '[{':
            try:
                value = json.loads(value)
            except ValueError:
                value = ast.literal_eval(value)  # a Python repr
        shown[row['Property']] = value
    return shown


class TestCase(base.BaseTestCase):
    """End-to-end tests; helpers to run the shell and judge its result."""

    def karbor(self, server, project, *args, token='admin-token'):
        return run_cli(server.project_url(project), token, *args)

    def assertSucceeded(self, result):
        self.assertEqual(0, result.returncode,
                         '%s failed:\nstdout:\n%s\nstderr:\n%s' % (
                             ' '.join(result.args[-3:]), result.stdout,
                             result.stderr))

    def assertFailedWith(self, result, *fragments):
        """Non-zero exit, and the server's message on stderr."""
        self.assertNotEqual(0, result.returncode,
                            'succeeded unexpectedly:\n%s' % result.stdout)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)


class SharedServerTestCase(TestCase):
    """All the tests of a class talk to one karbor-all.

    It starts once per class (and per test worker that runs tests of the
    class) and stops after the class, even when its start fails half way.
    A class that needs a configuration file overrides
    :meth:`server_options`.
    """

    # The project in the URL the shell talks to, unless a call names one.
    PROJECT = None

    def run_karbor(self, *args, project=None, token='admin-token'):
        return self.karbor(self.server, project or self.PROJECT, *args,
                           token=token)

    def ok(self, *args, **kwargs):
        """``karbor <args>``, which must succeed; its output."""
        result = self.run_karbor(*args, **kwargs)
        self.assertSucceeded(result)
        return result.stdout

    def show(self, *args, **kwargs):
        return parse_show(self.ok(*args, **kwargs))

    def rows(self, *args, **kwargs):
        return parse_table(self.ok(*args, **kwargs))

    @classmethod
    def server_options(cls, state_path):
        """More keyword arguments of :class:`KarborAll`; the class may
        write files into ``state_path`` (still empty) first."""
        return {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Outside any test, so not under oslotest's per-test temp dir.
        tmp = tempfile.mkdtemp(prefix='karbor-e2e-')
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        server = KarborAll(state_path=tmp, **cls.server_options(tmp))
        server.setUp()  # cleans itself up if it fails
        cls.addClassCleanup(server.cleanUp)
        cls.server = server
