"""karbor.services.protection.provider: providers from providers.d/*.conf
and the built-in local provider, with real banks and plugins."""

import logging
import os

import fixtures

from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.services.protection import local_roots
from karbor.services.protection import protectables
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import local_directory
from karbor.services.protection import provider as provider_module
from karbor.tests.unit.protection import base

ID1 = '11111111-1111-4111-8111-111111111111'
ID2 = '22222222-2222-4222-8222-222222222222'
ID3 = '33333333-3333-4333-8333-333333333333'
TYPE = local_roots.RESOURCE_TYPE


class ProviderRegistryTest(base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        self.dir = os.path.join(self.tmp, 'providers.d')
        os.makedirs(self.dir)
        self.conf.config(config_dir=self.dir, group='providers')
        self.log = self.useFixture(fixtures.FakeLogger(
            name='karbor.services.protection.provider',
            level=logging.INFO))

    def write_provider(self, filename, provider_id, name='P',
                       bank='file_system', plugins=('local_directory',),
                       enabled=None, roots=None, bank_path=None,
                       extra=''):
        lines = ['[provider]', 'id = %s' % provider_id, 'name = %s' % name,
                 'description = the %s provider' % name, 'bank = %s' % bank]
        lines += ['plugin = %s' % p for p in plugins]
        if enabled is not None:
            lines.append('enabled = %s' % enabled)
        lines += ['', '[local_directory]', 'allowed_roots = %s' % ','.join(
            roots or [os.path.join(self.tmp, 'roots', name)]),
            'chunk_size_mb = 2', '']
        lines += ['[file_system_bank]', 'path = %s' % (
            bank_path or os.path.join(self.tmp, 'banks', name)), '']
        with open(os.path.join(self.dir, filename), 'w') as f:
            f.write('\n'.join(lines) + extra)

    def registry(self, check_banks=False):
        return provider_module.ProviderRegistry(check_banks=check_banks)

    def test_provider_file_is_loaded(self):
        root = os.path.join(self.tmp, 'roots', 'mine')
        self.write_provider('a.conf', ID1, name='Mine', roots=[root])
        registry = self.registry(check_banks=True)
        provider = registry.get(ID1)
        self.assertEqual([provider], registry.list())
        self.assertEqual((ID1, 'Mine', 'the Mine provider'),
                         (provider.id, provider.name, provider.description))
        self.assertEqual(os.path.join(self.tmp, 'banks', 'Mine'),
                         provider.bank.plugin.root)
        # check_banks made the bank directory.
        self.assertTrue(os.path.isdir(provider.bank.plugin.root))
        plugin = provider.plugin_for(TYPE)
        self.assertIsInstance(plugin,
                              local_directory.LocalDirectoryProtectionPlugin)
        self.assertEqual([root], plugin.allowed_roots)
        self.assertEqual(2 * 1024 * 1024, plugin.chunk_size)
        self.assertIn('Provider Mine (%s) loaded from %s' % (
            ID1, os.path.join(self.dir, 'a.conf')), self.log.output)

    def test_extended_info_schema_keyed_by_type(self):
        self.write_provider('a.conf', ID1)
        schema = self.registry().get(ID1).extended_info_schema
        self.assertEqual({'options_schema', 'restore_schema',
                          'saved_info_schema', 'verify_schema'}, set(schema))
        for key in schema:
            self.assertEqual([TYPE], list(schema[key]), key)
        self.assertEqual(local_directory.RESTORE_SCHEMA,
                         schema['restore_schema'][TYPE])
        self.assertEqual(protection_plugin.EMPTY_SCHEMA,
                         schema['options_schema'][TYPE])
        self.assertEqual(
            local_directory.LocalDirectoryProtectionPlugin
            .get_verify_schema(TYPE), schema['verify_schema'][TYPE])

    def test_plugin_for_an_unknown_type(self):
        self.write_provider('a.conf', ID1)
        e = self.assertRaises(exception.ProtectionPluginNotFound,
                              self.registry().get(ID1).plugin_for,
                              'OS::Nova::Server')
        self.assertIn(ID1, str(e))
        self.assertIn('OS::Nova::Server', str(e))

    def test_unknown_provider(self):
        self.assertRaises(exception.ProviderNotFound,
                          self.registry().get, ID1)

    def test_disabled_provider_is_skipped(self):
        self.write_provider('a.conf', ID1, name='On')
        self.write_provider('b.conf', ID2, name='Off', enabled='false')
        self.assertEqual([ID1], [p.id for p in self.registry().list()])
        self.assertIn('Provider Off (%s) is disabled' % os.path.join(
            self.dir, 'b.conf'), self.log.output)

    def test_unknown_bank_is_skipped_and_others_load(self):
        self.write_provider('a.conf', ID1, name='Broken', bank='no_such_bank')
        self.write_provider('b.conf', ID2, name='Fine')
        self.assertEqual([ID2], [p.id for p in self.registry().list()])
        self.assertIn('Provider Broken (%s) could not be loaded' %
                      os.path.join(self.dir, 'a.conf'), self.log.output)
        self.assertIn("no plugin 'no_such_bank' in karbor.banks",
                      self.log.output)

    def test_unknown_protection_plugin_is_skipped(self):
        self.write_provider('a.conf', ID1, name='Broken',
                            plugins=('local_directory', 'no_such_plugin'))
        self.write_provider('b.conf', ID2, name='Fine')
        self.assertEqual([ID2], [p.id for p in self.registry().list()])
        self.assertIn("no plugin 'no_such_plugin' in karbor.protections",
                      self.log.output)

    def test_unusable_bank_is_skipped_when_banks_are_checked(self):
        blocker = os.path.join(self.tmp, 'a-file')
        base.write(blocker, b'not a directory')
        self.write_provider('a.conf', ID1, name='Blocked',
                            bank_path=os.path.join(blocker, 'bank'))
        self.write_provider('b.conf', ID2, name='Fine')
        self.assertEqual([ID1, ID2], [p.id for p in self.registry().list()])
        self.assertEqual([ID2], [p.id for p in
                                 self.registry(check_banks=True).list()])
        origin = os.path.join(self.dir, 'a.conf')
        self.assertIn('Provider Blocked (%s) could not be loaded and is not '
                      'offered (id %s): ' % (origin, ID1), self.log.output)

    def test_provider_id_that_is_not_a_uuid_is_refused(self):
        for n, bad in enumerate(('my-provider', '1234', 'x' * 36)):
            self.write_provider('bad%d.conf' % n, bad, name='Bad%d' % n)
        self.write_provider('good.conf', ID1, name='Good')
        self.assertEqual([ID1], [p.id for p in self.registry().list()])
        for n, bad in enumerate(('my-provider', '1234', 'x' * 36)):
            self.assertIn('Provider in %s has [provider] id = %s, which is '
                          'not a UUID' % (os.path.join(
                              self.dir, 'bad%d.conf' % n), bad),
                          self.log.output)

    def test_banks_are_checked_by_default(self):
        # The API's registry is the protection service's: a provider whose
        # bank cannot be used is offered by neither.
        blocker = os.path.join(self.tmp, 'a-file')
        base.write(blocker, b'not a directory')
        self.write_provider('a.conf', ID1, name='Blocked',
                            bank_path=os.path.join(blocker, 'bank'))
        self.write_provider('b.conf', ID2, name='Fine')
        provider_module.reset_registry()
        self.addCleanup(provider_module.reset_registry)
        self.assertEqual([ID2], [p.id for p in
                                 provider_module.get_registry().list()])
        self.assertRaises(exception.ProviderNotFound,
                          provider_module.get_registry().get, ID1)

    def test_duplicate_id_is_skipped(self):
        self.write_provider('a.conf', ID1, name='First')
        self.write_provider('b.conf', ID1, name='Second')
        registry = self.registry()
        self.assertEqual(['First'], [p.name for p in registry.list()])
        self.assertIn('Provider id %s of %s is already used' % (
            ID1, os.path.join(self.dir, 'b.conf')), self.log.output)

    def test_file_without_id_or_bank_is_skipped(self):
        with open(os.path.join(self.dir, 'a.conf'), 'w') as f:
            f.write('[provider]\nname = Nameless\nbank = file_system\n')
        self.write_provider('b.conf', ID2, name='Fine')
        self.assertEqual([ID2], [p.id for p in self.registry().list()])
        self.assertIn('needs [provider] id and bank', self.log.output)

    def test_unparsable_file_is_skipped(self):
        with open(os.path.join(self.dir, 'a.conf'), 'w') as f:
            f.write('this is not an ini file\n[[[\n')
        self.write_provider('b.conf', ID2, name='Fine')
        self.assertEqual([ID2], [p.id for p in self.registry().list()])
        self.assertIn('Provider file %s is not valid' % os.path.join(
            self.dir, 'a.conf'), self.log.output)

    def test_only_conf_files_are_read(self):
        self.write_provider('a.conf.disabled', ID1)
        self.write_provider('b.conf', ID2)
        self.assertEqual([ID2], [p.id for p in self.registry().list()])

    def test_missing_directory_means_no_providers(self):
        self.conf.config(config_dir=os.path.join(self.tmp, 'absent'),
                         group='providers')
        self.assertEqual([], self.registry().list())

    def test_relative_directory_is_next_to_the_config_file(self):
        etc = os.path.join(self.tmp, 'etc')
        os.makedirs(os.path.join(etc, 'p.d'))
        base.write(os.path.join(etc, 'karbor.conf'), b'')
        self.dir = os.path.join(etc, 'p.d')
        self.write_provider('a.conf', ID1)
        self.conf.config(config_dir='p.d', group='providers')
        self.conf.config(config_file=[os.path.join(etc, 'karbor.conf')])
        self.assertEqual(self.dir, provider_module.config_dir())
        self.assertEqual([ID1], [p.id for p in self.registry().list()])

    def test_local_provider(self):
        root = os.path.join(self.tmp, 'protect-here')
        self.enable_local_provider(root)
        registry = self.registry()
        provider = registry.get(provider_module.LOCAL_PROVIDER_ID)
        self.assertEqual('Local Provider', provider.name)
        self.assertEqual(os.path.join(self.state_path, 'bank',
                                      provider_module.LOCAL_PROVIDER_ID),
                         provider.bank.plugin.root)
        self.assertEqual([root], provider.plugin_for(TYPE).allowed_roots)
        self.assertEqual([TYPE], list(
            provider.extended_info_schema['restore_schema']))

    def test_local_provider_default_root_and_files_together(self):
        self.conf.config(enable_local_provider=True, group='providers')
        self.write_provider('a.conf', ID3)
        registry = self.registry()
        self.assertEqual(sorted([provider_module.LOCAL_PROVIDER_ID, ID3]),
                         [p.id for p in registry.list()])
        plugin = registry.get(provider_module.LOCAL_PROVIDER_ID).plugin_for(
            TYPE)
        self.assertEqual(
            [os.path.join(self.state_path, 'protect', '{project_id}')],
            plugin.allowed_roots)
        self.assertTrue(plugin.create_roots)

    def test_local_provider_is_off_by_default(self):
        self.assertEqual([], self.registry().list())

    def test_global_registry_is_loaded_once_and_reset(self):
        self.write_provider('a.conf', ID1)
        first = provider_module.get_registry()
        self.assertIs(first, provider_module.get_registry())
        self.write_provider('b.conf', ID2)
        self.assertEqual([ID1], [p.id for p in
                                 provider_module.get_registry().list()])
        provider_module.reset_registry()
        self.assertEqual([ID1, ID2], [p.id for p in
                                      provider_module.get_registry().list()])

    def test_protectables_see_the_roots_of_every_provider(self):
        root1 = os.path.join(self.tmp, 'r1')
        root2 = os.path.join(self.tmp, 'r2')
        os.makedirs(os.path.join(root1, 'x'))
        os.makedirs(os.path.join(root2, 'y'))
        self.write_provider('a.conf', ID1, roots=[root1])
        self.write_provider('b.conf', ID2, roots=[root2, root1])
        registry = protectables.get_registry()
        self.assertIn(TYPE, registry.types())
        ctx = karbor_context.RequestContext(project_id='p1')
        found = registry.list_resources(ctx, TYPE)
        self.assertEqual(['x', 'y'], [r.extra_info['path'] for r in found])
        y = found[1]
        self.assertEqual(local_roots.directory_id(os.path.join(root2, 'y')),
                         y.id)
        self.assertEqual(y, registry.show_resource(ctx, TYPE, y.id))
        self.assertEqual([], registry.dependents(ctx, y))
        self.assertRaises(exception.ProtectableTypeNotFound, registry.get,
                          'OS::Nova::Server')
