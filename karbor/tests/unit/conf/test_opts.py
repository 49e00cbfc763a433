"""karbor.conf: option groups for the generator, help everywhere."""

import subprocess
import sys
import tempfile

from oslo_config import cfg
import testtools

from karbor import conf
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


class ServiceClientOptsTest(testtools.TestCase):
    """[cinder], [glance] and [nova] are keystoneauth's options, and the
    [<service>_client] names of earlier releases still work."""

    def parse(self, text):
        private = cfg.ConfigOpts()
        conf.register_opts(private)
        with tempfile.NamedTemporaryFile('w', suffix='.conf') as f:
            f.write(text)
            f.flush()
            private(['--config-file', f.name], default_config_files=[])
        return private

    def test_defaults(self):
        private = self.parse('')
        for group, service_type in (('cinder', 'block-storage'),
                                    ('glance', 'image'),
                                    ('nova', 'compute')):
            options = private[group]
            self.assertEqual(service_type, options.service_type)
            self.assertEqual(['internal', 'public'],
                             options.valid_interfaces)
            self.assertIsNone(options.endpoint_override)
            self.assertEqual(60, options.timeout)
            self.assertFalse(options.insecure)

    def test_the_options_operators_know(self):
        private = self.parse('[glance]\n'
                             'endpoint_override = http://g:9292\n'
                             'valid_interfaces = public\n'
                             'region_name = R2\n'
                             'cafile = /etc/ssl/ca.pem\n')
        self.assertEqual(('http://g:9292', ['public'], 'R2',
                          '/etc/ssl/ca.pem'),
                         (private.glance.endpoint_override,
                          private.glance.valid_interfaces,
                          private.glance.region_name,
                          private.glance.cafile))

    def test_names_of_earlier_releases(self):
        private = self.parse('[cinder_client]\n'
                             'endpoint = http://c:8776/v3/%(project_id)s\n'
                             'interface = internal\n'
                             'region_name = R3\n'
                             'ca_cert = /etc/ssl/c.pem\n'
                             'insecure = true\n'
                             'timeout = 7\n')
        options = private.cinder
        self.assertEqual(('http://c:8776/v3/%(project_id)s', ['internal'],
                          'R3', '/etc/ssl/c.pem', True, 7),
                         (options.endpoint_override,
                          options.valid_interfaces, options.region_name,
                          options.cafile, options.insecure,
                          options.timeout))
