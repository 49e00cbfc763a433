"""karbor-all as an operator runs it: no configuration file, its state in
one directory, several side by side, a clean stop."""

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import time

import fixtures

from karbor.common import constants
from karbor.tests.e2e import base
from karbor.tests.functional import utils

PROJECT = 'e2e-standalone'
LOCAL_PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'

# Where oslo.config looks for karbor.conf when no --config-file is given,
# besides the home directory (which the test points at an empty one).
SYSTEM_CONFIG_PATHS = ('/etc/karbor/karbor.conf', '/etc/karbor.conf',
                       '/etc/karbor/karbor.conf.d')


ENGINE = 'karbor-operationengine'


def services(server, token='admin-token'):
    status, _, doc = utils.http(
        'GET', server.project_url(PROJECT) + '/os-services', token=token)
    assert status == 200, (status, doc)
    return {s['binary']: s for s in doc['services']}


class KarborAllTest(base.TestCase):

    def home_env(self):
        home = self.useFixture(fixtures.TempDir()).path
        return {'HOME': home, 'XDG_STATE_HOME': os.path.join(home, 'state')}

    def assertProtectionUp(self, server, status='enabled'):
        protection = services(server)[constants.SERVICE_BINARY_PROTECTION]
        self.assertEqual((status, 'up'),
                         (protection['status'], protection['state']))
        return protection

    def test_runs_without_config_file(self):
        present = [p for p in SYSTEM_CONFIG_PATHS if os.path.exists(p)]
        self.assertEqual([], present,
                         'this test needs a machine without a system-wide '
                         'Karbor configuration')
        # A state directory that does not exist yet, two levels deep.
        state_path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                  'new', 'state')
        # A karbor.conf where oslo.config would look by default: were it
        # read, karbor-all could not open its database.
        env = self.home_env()
        os.makedirs(os.path.join(env['HOME'], '.karbor'))
        with open(os.path.join(env['HOME'], '.karbor', 'karbor.conf'),
                  'w') as f:
            f.write('[database]\n'
                    'connection = sqlite:////nonexistent-karbor/x.sqlite\n')
        server = self.useFixture(base.KarborAll(state_path=state_path,
                                                env=env))

        output = server.process.output()
        self.assertIn('listening on http://127.0.0.1:%d/' % server.port,
                      output)
        self.assertIn('No configuration file read', output)
        db_path = os.path.join(state_path, 'karbor.sqlite')
        self.assertTrue(os.path.isfile(db_path), os.listdir(state_path))
        result = self.karbor(server, PROJECT, 'service-list')
        self.assertSucceeded(result)
        # The protection service and the operation engine.
        rows = {row['Binary']: row
                for row in base.parse_table(result.stdout)}
        self.assertEqual([ENGINE, constants.SERVICE_BINARY_PROTECTION],
                         sorted(rows))
        for row in rows.values():
            self.assertEqual(('enabled', 'up'), (row['Status'],
                                                 row['State']), row)

        self.assertEqual(0, server.stop())  # SIGTERM is a clean stop
        with sqlite3.connect(db_path) as db:
            [(revision,)] = db.execute('SELECT version_num FROM '
                                       'alembic_version').fetchall()
            binaries = [r[0] for r in db.execute('SELECT binary FROM '
                                                 'services')]
        self.assertTrue(revision)
        self.assertEqual([ENGINE, constants.SERVICE_BINARY_PROTECTION],
                         sorted(binaries))

    def test_default_state_path(self):
        env = self.home_env()
        server = self.useFixture(base.KarborAll(state_path=None, env=env))
        self.assertProtectionUp(server)
        self.assertTrue(os.path.isfile(os.path.join(
            env['XDG_STATE_HOME'], 'karbor', 'karbor.sqlite')))

    def test_two_side_by_side(self):
        env = self.home_env()
        first = self.useFixture(base.KarborAll(env=env))
        second = self.useFixture(base.KarborAll(env=env))
        self.assertNotEqual(first.port, second.port)
        self.assertProtectionUp(first)
        self.assertProtectionUp(second)

        # Each has its own database: disabling in one leaves the other.
        service_id = services(first)[
            constants.SERVICE_BINARY_PROTECTION]['id']
        status, _, doc = utils.http(
            'PUT', '%s/os-services/%s' % (first.project_url(PROJECT),
                                          service_id),
            body={'status': 'disabled', 'disabled_reason': 'first only'})
        self.assertEqual(200, status, doc)
        self.assertProtectionUp(first, status='disabled')
        self.assertProtectionUp(second, status='enabled')

        # Stopping one leaves the other serving.
        self.assertEqual(0, first.stop())
        self.assertRaises(OSError, utils.http, 'GET', first.url + '/',
                          timeout=2)
        self.assertProtectionUp(second)
        result = self.karbor(second, PROJECT, 'service-list')
        self.assertSucceeded(result)
        self.assertEqual(0, second.stop())


class StartupErrorsTest(base.TestCase):
    """Every start-up error: one line saying what to change, exit 2."""

    def start(self, *args):
        state = os.path.join(self.useFixture(fixtures.TempDir()).path, 's')
        return subprocess.run(
            [utils.executable('karbor-all'), '--state-path', state] +
            list(args), capture_output=True, text=True, timeout=120)

    def assertOneLine(self, result, *words):
        self.assertEqual(2, result.returncode, result)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertTrue(lines[0].startswith('karbor-all: error: '), lines)
        for word in words:
            self.assertIn(word, lines[0])
        self.assertNotIn('Traceback', result.stdout + result.stderr)

    def test_busy_port(self):
        with socket.socket() as busy:
            busy.bind(('127.0.0.1', 0))
            busy.listen()
            port = busy.getsockname()[1]
            result = self.start('--api-port', str(port))
        self.assertOneLine(result, 'port %d of 127.0.0.1 is already in use'
                           % port, '--api-port')

    def test_missing_and_malformed_config_file(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.assertOneLine(
            self.start('--config-file', os.path.join(tmp, 'nope.conf')),
            'nope.conf cannot be read', '--config-file')
        bad = os.path.join(tmp, 'bad.conf')
        with open(bad, 'w') as f:
            f.write('[api]\nport = 8123\nthis line is no option\n')
        self.assertOneLine(self.start('--config-file', bad),
                           'bad.conf is malformed', 'bad.conf:3')
        wrong = os.path.join(tmp, 'wrong.conf')
        with open(wrong, 'w') as f:
            f.write('[api]\nport = eighty\n')
        self.assertOneLine(self.start('--config-file', wrong),
                           '--api-port (or [api] port)', 'eighty')
        self.assertOneLine(self.start('--api-port', '70000'),
                           '--api-port (or [api] port)', '70000')
        self.assertOneLine(self.start('--no-such-option'),
                           '--no-such-option')

    def test_state_path_that_cannot_be_written(self):
        # The tests run as root, whom permissions do not stop: a state
        # path below a file cannot be created by anyone.
        tmp = self.useFixture(fixtures.TempDir()).path
        blocker = os.path.join(tmp, 'a-file')
        with open(blocker, 'w'):
            pass
        state = os.path.join(blocker, 'state')
        result = subprocess.run(
            [utils.executable('karbor-all'), '--state-path', state],
            capture_output=True, text=True, timeout=120)
        self.assertOneLine(result, 'state path %s cannot be used' % state,
                           '--state-path')


class InterruptTest(base.TestCase):
    """Ctrl-C says what the stop waits for; a second one stops now."""

    def test_first_and_second_interrupt(self):
        server = self.useFixture(base.KarborAll())
        utils.wait_for(lambda: 'karbor-all ready' in server.process.output(),
                       timeout=30, what='karbor-all ready')
        server.process.process.send_signal(signal.SIGINT)
        utils.wait_for(lambda: 'press Ctrl-C again to stop now' in
                       server.process.output(), timeout=30,
                       what='the first Ctrl-C message')
        self.assertIn('waiting for 0 running operations to end',
                      server.process.output())
        try:
            code = server.process.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.process.send_signal(signal.SIGINT)
            code = server.process.process.wait(timeout=10)
            self.assertIn('stopping now', server.process.output())
        self.assertIn(code, (0, 130))


def snapshot(path):
    """{relative path: (size, mtime in ns, SHA-256 of files of less than
    16 MiB)} of every file under ``path``."""
    found = {}
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            digest = None
            if st.st_size < 16 << 20 and not os.path.islink(full):
                with open(full, 'rb') as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            found[os.path.relpath(full, path)] = (st.st_size,
                                                  st.st_mtime_ns, digest)
    return found


class StateDirectoryLockTest(base.TestCase):
    """A second karbor-all on the state directory of a running one exits
    at once (code 2, one line naming the running one) and changes
    nothing: not the first one's running protect, not a byte of the
    directory."""

    BIG_MIB = 96

    def request(self, server, method, path, body=None, expected=200):
        status, _, doc = utils.http(
            method, '%s/%s' % (server.project_url(PROJECT), path), body=body)
        self.assertEqual(expected, status, doc)
        return doc

    def checkpoint_row(self, state_path, checkpoint_id):
        # Not read-only: a read-only connection cannot take the
        # wal-index locks a frozen writer may leave it needing.
        db = sqlite3.connect(os.path.join(state_path, 'karbor.sqlite'),
                             timeout=10)
        try:
            return db.execute(
                'SELECT status, host FROM checkpoints WHERE id = ?',
                (checkpoint_id,)).fetchone()
        finally:
            db.close()

    def test_second_karbor_all_exits_and_touches_nothing(self):
        from karbor.tests.functional import test_verification_processes
        state_path = self.useFixture(fixtures.TempDir()).path
        first = self.useFixture(base.KarborAll(state_path=state_path))
        big = os.path.join(state_path, 'protect', PROJECT, 'big')
        os.makedirs(big)
        for i in range(self.BIG_MIB // 16):
            with open(os.path.join(big, 'part%d' % i), 'wb') as f:
                f.write(os.urandom(16 << 20))
        instances = self.request(
            first, 'GET', 'protectables/OS::Local::Directory/instances')
        [directory] = [i for i in instances['instances']
                       if i['name'].rstrip('/').endswith('big')]
        plan = self.request(first, 'POST', 'plans', {'plan': {
            'name': 'big', 'provider_id': LOCAL_PROVIDER_ID,
            'resources': [{'id': directory['id'],
                           'type': 'OS::Local::Directory',
                           'name': 'big'}]}})['plan']

        # The protect runs slowly (the first process gets a tenth of the
        # time) until it is claimed, then the first process is frozen in
        # the middle of it, holding its lock as a running one does.
        with test_verification_processes.Throttle(first.process.process,
                                                  0.1) as throttle:
            checkpoint = self.request(
                first, 'POST', 'providers/%s/checkpoints' %
                LOCAL_PROVIDER_ID, {'checkpoint': {'plan_id': plan['id']}},
                expected=202)['checkpoint']
            utils.wait_for(
                lambda: self.checkpoint_row(state_path, checkpoint['id'])[1],
                timeout=60, interval=0.05, what='the protect claimed')
            throttle.freeze()
            status, host = self.checkpoint_row(state_path, checkpoint['id'])
            self.assertEqual('protecting', status,
                             'the protect ended before the test caught it '
                             'running; make BIG_MIB larger')
            self.assertIsNotNone(host)
            before = snapshot(state_path)

            started = time.monotonic()
            second = subprocess.run(
                [utils.executable('karbor-all'), '--state-path', state_path,
                 '--api-port', str(utils.free_port())],
                capture_output=True, text=True, timeout=120)
            elapsed = time.monotonic() - started

            self.assertEqual(2, second.returncode, second)
            lines = second.stderr.strip().splitlines()
            self.assertEqual(1, len(lines), second.stderr)
            self.assertEqual(
                'karbor-all: error: the state path %s is in use by another '
                'karbor-all (pid %d, API http://127.0.0.1:%d/): stop it '
                'first, or give this one another --state-path' % (
                    state_path, first.process.process.pid, first.port),
                lines[0])
            self.assertEqual(before, snapshot(state_path))
            self.assertEqual(('protecting', host), self.checkpoint_row(
                state_path, checkpoint['id']))
            # "At once": the time to start Python and read the lock, far
            # from the seconds a recovery or a migration would take.
            self.assertLess(elapsed, 20)
        # Once the first goes on, its protect ends as if nothing happened.
        done = utils.wait_for(
            lambda: (lambda c: c if c['status'] != 'protecting' else None)(
                self.request(first, 'GET', 'providers/%s/checkpoints/%s' % (
                    LOCAL_PROVIDER_ID, checkpoint['id']))['checkpoint']),
            timeout=120, what='the protect to end')
        self.assertEqual('available', done['status'], done)
        [log] = [entry for entry in self.request(
            first, 'GET', 'operation_logs')['operation_logs']
            if entry['checkpoint_id'] == checkpoint['id']]
        self.assertEqual(('success', None),
                         (log['status'], log['error_info']))
        self.assertEqual(0, first.stop())
        # Once the first stopped, the lock is free again.
        third = self.useFixture(base.KarborAll(state_path=state_path))
        self.assertIn('pid %d' % third.process.process.pid, open(
            os.path.join(state_path, 'karbor-all.lock')).read())
