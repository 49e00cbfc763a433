"""karbor-all as an operator runs it: no configuration file, its state in
one directory, several side by side, a clean stop."""

import os
import sqlite3

import fixtures

from karbor.common import constants
from karbor.tests.e2e import base
from karbor.tests.functional import utils

PROJECT = 'e2e-standalone'

# Where oslo.config looks for karbor.conf when no --config-file is given,
# besides the home directory (which the test points at an empty one).
SYSTEM_CONFIG_PATHS = ('/etc/karbor/karbor.conf', '/etc/karbor.conf',
                       '/etc/karbor/karbor.conf.d')


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
        [row] = base.parse_table(result.stdout)
        self.assertEqual((constants.SERVICE_BINARY_PROTECTION, 'enabled',
                          'up'), (row['Binary'], row['Status'], row['State']))

        self.assertEqual(0, server.stop())  # SIGTERM is a clean stop
        with sqlite3.connect(db_path) as db:
            [(revision,)] = db.execute('SELECT version_num FROM '
                                       'alembic_version').fetchall()
            binaries = [r[0] for r in db.execute('SELECT binary FROM '
                                                 'services')]
        self.assertTrue(revision)
        self.assertEqual([constants.SERVICE_BINARY_PROTECTION], binaries)

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
