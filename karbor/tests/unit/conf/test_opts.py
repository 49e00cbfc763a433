"""karbor.conf: option groups for the generator, help everywhere."""

import os
import subprocess
import sys

from oslo_config import cfg
import testtools

from karbor import conf
from karbor.conf import doc
from karbor.conf import opts


class ListOptsTest(testtools.TestCase):

    def test_groups(self):
        groups = [g if isinstance(g, str) else g.name
                  for g, _ in opts.list_opts()]
        self.assertEqual(len(groups), len(set(groups)))
        self.assertEqual(['DEFAULT', 'api', 'protection'], groups[:3])

    def test_every_option_has_help(self):
        for group, options in opts.list_opts():
            self.assertTrue(options, group)
            for opt in options:
                self.assertIsInstance(opt, cfg.Opt)
                self.assertTrue(opt.help and opt.help.strip(),
                                '%s.%s has no help' % (group, opt.name))
                for choice in getattr(opt.type, 'choices', None) or {}:
                    self.assertTrue(opt.type.choices[choice],
                                    '%s.%s=%s' % (group, opt.name, choice))

    def test_groups_have_titles(self):
        for group, _ in opts.list_opts():
            if isinstance(group, cfg.OptGroup):
                self.assertTrue(group.title, group.name)

    def test_register_opts_on_a_private_conf(self):
        private = cfg.ConfigOpts()
        conf.register_opts(private)
        private([], default_config_files=[])
        self.assertEqual(8799, private.api.port)
        self.assertEqual('0.0.0.0', private.api.host_ip)
        self.assertEqual('keystone', private.auth_strategy)
        self.assertEqual('karbor-protection', private.protection.topic)
        self.assertEqual(60, private.service_down_time)
        # Only --state-path is on the command line by default.
        cli = {o['opt'].dest for o in private._cli_opts} - {
            'config_file', 'config_dir', 'shell_completion'}
        self.assertEqual({'state_path'}, cli)

    def test_api_cli_adds_host_and_port(self):
        private = cfg.ConfigOpts()
        conf.register_opts(private, api_cli=True)
        private(['--api-port', '9999', '--api-host-ip', '127.0.0.2',
                 '--state-path', '/tmp/x'], default_config_files=[])
        self.assertEqual((9999, '127.0.0.2', '/tmp/x'),
                         (private.api.port, private.api.host_ip,
                          private.state_path))

    def test_importing_registers_nothing(self):
        # Options are registered by the process, never by an import.
        code = (
            'from oslo_config import cfg\n'
            'import karbor.conf, karbor.conf.opts, karbor.api.app\n'
            'import karbor.cmd.all, karbor.cmd.manage, karbor.common.service\n'
            'import karbor.services.protection.manager\n'
            'names = [g for g in ("api", "protection") if g in cfg.CONF]\n'
            'names += [o for o in ("state_path", "auth_strategy", "host",\n'
            '          "service_down_time") if o in cfg.CONF]\n'
            'print(",".join(names))\n')
        out = subprocess.run([sys.executable, '-c', code],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual('', out.stdout.strip())


class ConfigurationDocTest(testtools.TestCase):
    """doc/source/configuration.rst is what the options say."""

    def test_reference_is_up_to_date(self):
        path = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                            '..', 'doc', 'source', 'configuration.rst')
        with open(path) as f:
            committed = f.read()
        self.assertEqual(doc.render(), committed,
                         'doc/source/configuration.rst is out of date: run '
                         'tox -e genconfig (or python -m karbor.conf.doc > '
                         'doc/source/configuration.rst)')
        for option in ('insecure_listen_anywhere', 'create_roots',
                       'restore_setid_bits', 'allowed_roots'):
            self.assertIn('``%s``' % option, committed)
