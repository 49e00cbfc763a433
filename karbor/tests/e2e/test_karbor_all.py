"""karbor-all as an operator runs it: no configuration file, its state in
one directory, several side by side, a clean stop."""

import os
import signal
import socket
import sqlite3
import subprocess

import fixtures

from karbor.common import constants
from karbor.tests.e2e import base
from karbor.tests.functional import utils

PROJECT = 'e2e-standalone'

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
