"""Command lines of karbor-all and karbor-api."""

import logging
import os
import subprocess
import sys
from importlib import metadata
from unittest import mock

import fixtures
from oslo_config import cfg

from karbor.cmd import all as cmd_all
from karbor.cmd import common
from karbor.cmd import startup
from karbor.common import config
from karbor.common import notify
from karbor.tests import base


class PrepareProcessTest(base.TestCase):
    """Parses cfg.CONF itself; the config fixture resets it afterwards."""

    def setUp(self):
        super().setUp()
        # The test base sets these as overrides, which would hide what the
        # command line and the command's defaults say.
        for name in ('state_path', 'auth_strategy', 'transport_url'):
            cfg.CONF.clear_override(name)
        cfg.CONF.clear_override('connection', group='database')
        self.conf.set_default('state_path', self.state_path)
        # Parsed by the test base; a command parses its own arguments.
        cfg.CONF.clear()

    def prepare(self, argv, **kwargs):
        # oslo.log's setup would replace the test's log handlers.
        with mock.patch.object(config.log, 'setup') as setup:
            conf = common.prepare_process(argv, default_config_files=[],
                                          **kwargs)
        setup.assert_called_once_with(conf, 'karbor')
        return conf

    def test_karbor_all_command_line(self):
        state = os.path.join(self.state_path, 'new', 'state')
        conf = self.prepare(
            ['karbor-all', '--state-path', state, '--api-port', '9999',
             '--api-host-ip', '127.0.0.2'],
            api_cli=True, defaults=cmd_all.EMBEDDED_DEFAULTS)
        self.assertIs(cfg.CONF, conf)
        self.assertEqual(state, conf.state_path)
        self.assertTrue(os.path.isdir(state))
        self.assertEqual(9999, conf.api.port)
        self.assertEqual('127.0.0.2', conf.api.host_ip)
        # The embedded defaults.
        self.assertEqual('noauth', conf.auth_strategy)
        self.assertEqual('karbor-in-process:/', conf.transport_url)
        self.assertEqual('karbor', conf.control_exchange)
        self.assertEqual('sqlite:///%s/karbor.sqlite' % state,
                         conf.database.connection)

    def test_karbor_all_defaults(self):
        conf = self.prepare(['karbor-all'], api_cli=True,
                            defaults=cmd_all.EMBEDDED_DEFAULTS)
        self.assertEqual(('127.0.0.1', 8799),
                         (conf.api.host_ip, conf.api.port))
        # No notification unless configured.
        self.assertEqual(['noop'], conf.oslo_messaging_notifications.driver)
        self.assertFalse(notify.enabled(conf))

    def test_bad_port_is_refused(self):
        e = self.assertRaises(startup.StartupError, common.prepare_process,
                              ['karbor-all', '--api-port', '70000'],
                              default_config_files=[], api_cli=True)
        self.assertIn('--api-port (or [api] port)', str(e))
        self.assertIn('70000', str(e))

    def test_config_file_is_read(self):
        path = os.path.join(self.state_path, 'karbor.conf')
        with open(path, 'w') as f:
            f.write('[DEFAULT]\nservice_down_time = 123\n'
                    '[api]\nport = 8123\n')
        conf = self.prepare(['karbor-api', '--config-file', path],
                            api_cli=True)
        self.assertEqual((123, 8123),
                         (conf.service_down_time, conf.api.port))


class KarborAllDefaultsTest(base.TestCase):
    """karbor-all reads only what it is given and stays on loopback."""

    def setUp(self):
        super().setUp()
        for name in ('state_path', 'auth_strategy', 'transport_url'):
            cfg.CONF.clear_override(name)
        cfg.CONF.clear_override('connection', group='database')
        self.conf.set_default('state_path', self.state_path)
        cfg.CONF.clear()
        self.logs = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        # Where oslo.config looks by default: ~/.karbor/karbor.conf.
        home = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable('HOME', home))
        os.makedirs(os.path.join(home, '.karbor'))
        self.stray = os.path.join(home, '.karbor', 'karbor.conf')
        with open(self.stray, 'w') as f:
            f.write('[DEFAULT]\nservice_down_time = 4321\n')

    def parse(self, argv):
        with mock.patch.object(config.log, 'setup'):
            return cmd_all.parse(argv)

    def test_a_stray_karbor_conf_is_not_read(self):
        conf = self.parse(['karbor-all'])
        self.assertNotEqual(4321, conf.service_down_time)
        self.assertEqual([], conf.config_file)
        self.assertIn('No configuration file read', self.logs.output)

    def test_the_files_given_are_read_and_named(self):
        conf = self.parse(['karbor-all', '--config-file', self.stray])
        self.assertEqual(4321, conf.service_down_time)
        self.assertIn('Configuration files read: %s' % self.stray,
                      self.logs.output)

    def test_karbor_api_still_finds_the_system_file(self):
        with mock.patch.object(config.log, 'setup'):
            conf = common.prepare_process(['karbor-api'], api_cli=True)
        self.assertEqual(4321, conf.service_down_time)
        self.assertIn(self.stray, self.logs.output)

    def test_loopback_only_without_authentication(self):
        for host in ('127.0.0.1', '127.9.9.9', '::1', 'localhost',
                     '::ffff:127.0.0.1'):
            self.assertTrue(cmd_all.is_loopback(host), host)
        for host in ('0.0.0.0', '::', '192.0.2.7', '2001:db8::1'):
            self.assertFalse(cmd_all.is_loopback(host), host)
        conf = self.parse(['karbor-all', '--api-host-ip', '0.0.0.0'])
        problem = cmd_all.listen_problem(conf)
        self.assertIn('0.0.0.0 (--api-host-ip)', problem)
        self.assertIn('--insecure-listen-anywhere', problem)
        # With Keystone in front, any address is fine.
        conf.set_override('auth_strategy', 'keystone')
        self.assertIsNone(cmd_all.listen_problem(conf))
        conf.clear_override('auth_strategy')
        self.assertNotIn('INSECURE', self.logs.output)
        cfg.CONF.clear()
        conf = self.parse(['karbor-all', '--api-host-ip', '0.0.0.0',
                           '--insecure-listen-anywhere'])
        self.assertIsNone(cmd_all.listen_problem(conf))
        self.assertIn('INSECURE: karbor-all has no authentication and '
                      'listens on 0.0.0.0', self.logs.output)

    def test_refusal_is_an_exit_code(self):
        out = subprocess.run(
            [sys.executable, '-c',
             'import sys; from karbor.cmd import all; '
             'sys.exit(all.main(["karbor-all", "--api-host-ip", "0.0.0.0", '
             '"--state-path", %r]))' % self.state_path],
            capture_output=True, text=True, timeout=120,
            env=dict(os.environ, HOME=os.environ['HOME']))
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertIn('--insecure-listen-anywhere', out.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.state_path,
                                                     'karbor.sqlite')))


class HelpTest(base.TestCase):

    def test_console_scripts(self):
        scripts = {ep.name: ep.value for ep in
                   metadata.entry_points(group='console_scripts')
                   if ep.name.startswith('karbor-')}
        self.assertEqual({'karbor-all': 'karbor.cmd.all:main',
                          'karbor-api': 'karbor.cmd.api:main',
                          'karbor-protection': 'karbor.cmd.protection:main',
                          'karbor-manage': 'karbor.cmd.manage:main',
                          'karbor-status': 'karbor.cmd.status:main',
                          'karbor-operationengine':
                              'karbor.cmd.operationengine:main'},
                         scripts)

    def test_karbor_all_help(self):
        out = subprocess.run(
            [sys.executable, '-c',
             'import sys; from karbor.cmd import all; '
             'sys.exit(all.main(["karbor-all", "--help"]))'],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(0, out.returncode, out.stderr)
        for option in ('--api-host-ip', '--api-port', '--state-path',
                       '--config-file', '--insecure-listen-anywhere'):
            self.assertIn(option, out.stdout)
