"""Damage a bank, then verify: the damaged resource ends 'error' with a
reason naming the object, what was expected and what was found; the
untouched resources of the same checkpoint stay 'success'.

The quick level (metadata, presence, sizes; ETags where the bank has
them, which a file system does not) catches everything but a flipped
byte; the deep level (every object read, SHA-256 recomputed) catches all.
"""

import hashlib
import json
import os

import fixtures
from oslo_config import cfg

from karbor.services.protection import bank_plugin
from karbor.services.protection.bank_plugins import file_system
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import graph
from karbor.services.protection.protection_plugins import local_directory
from karbor.services.protection import verification
from karbor.tests.unit.verification import base

QUICK = {base.DIRECTORY: {'level': 'quick'}}
DEEP = {base.DIRECTORY: {'level': 'deep'}}
DIRS = ('alpha', 'beta', 'gamma')


class CorruptionTest(base.VerificationTestCase):
    """A checkpoint of alpha, beta and gamma; beta gets damaged."""

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(dirs=DIRS)
        self.beta = self.resource_key('beta')
        self.untouched = [self.resource_key('alpha'),
                          self.resource_key('gamma')]
        self.data_key = self.key('data/00000000')
        self.manifest = json.loads(self.read('manifest.json'))
        [self.entry] = self.manifest['objects']
        self.assertEqual(('data/00000000', base.BETA_BYTES),
                         (self.entry['key'], self.entry['size']))

    def key(self, name):
        return self.object_key(self.checkpoint['id'], 'beta', name)

    def read(self, name):
        with open(self.bank_file(self.key(name)), 'rb') as f:
            return f.read()

    def write(self, name, data):
        with open(self.bank_file(self.key(name)), 'wb') as f:
            f.write(data)

    def remove(self, name):
        os.unlink(self.bank_file(self.key(name)))

    # Verdicts

    def check(self, parameters):
        """Verify; the untouched resources are fine whatever the outcome.
        Returns the verification."""
        shown = self.verified(self.checkpoint['id'], parameters)
        self.assertEqual(set(self.untouched + [self.beta]),
                         set(shown['resource_status']))
        for key in self.untouched:
            self.assertEqual('success', shown['resource_status'][key], key)
            self.assertEqual('', shown['resource_reason'][key], key)
        self.assertEqual(shown['resource_status'],
                         shown['resource_status'])
        self.assertEqual(shown['resource_reason'],
                         shown['resource_reason'])
        self.assertEqual(3, shown['progress']['resources_checked'])
        return shown

    def assertIntact(self, parameters):
        shown = self.check(parameters)
        self.assertEqual('success', shown['status'], shown)
        self.assertEqual('success', shown['resource_status'][self.beta])
        self.assertEqual('success', self.log_of(shown['id']).status)
        return shown

    def assertDamaged(self, parameters, *words):
        """beta is 'error' and its reason holds every one of ``words``;
        returns the reason."""
        shown = self.check(parameters)
        self.assertEqual('error', shown['status'], shown)
        self.assertEqual('error', shown['resource_status'][self.beta],
                         shown)
        reason = shown['resource_reason'][self.beta]
        for word in words:
            self.assertIn(word, reason)
        self.assertNotIn('Traceback', reason)
        # The whole names the damaged resource, and only it.
        self.assertIn(self.beta, shown['status_reason'])
        self.assertIn('1 of 3', shown['status_reason'])
        for key in self.untouched:
            self.assertNotIn(key, shown['status_reason'])
        log = self.log_of(shown['id'])
        self.assertEqual('error', log.status)
        self.assertIn(self.beta, log.error_info)
        return reason

    # The five kinds of damage

    def test_intact(self):
        self.assertIntact(None)
        shown = self.assertIntact(DEEP)
        self.assertEqual(shown['progress']['bytes_total'],
                         shown['progress']['bytes_checked'])

    def test_object_deleted(self):
        self.remove('data/00000000')
        for parameters in (None, QUICK, DEEP):
            reason = self.assertDamaged(parameters, self.data_key)
            self.assertIn('%s is missing' % self.data_key, reason)

    def test_object_truncated(self):
        self.write('data/00000000', self.read('data/00000000')[:4000])
        for parameters in (QUICK, DEEP):
            reason = self.assertDamaged(
                parameters, self.data_key,
                'size %d expected, 4000 found' % base.BETA_BYTES)
            self.assertNotIn('SHA-256', reason)

    def test_object_grown(self):
        self.write('data/00000000', self.read('data/00000000') + b'x')
        for parameters in (QUICK, DEEP):
            self.assertDamaged(
                parameters, self.data_key,
                'size %d expected, %d found' % (base.BETA_BYTES,
                                                base.BETA_BYTES + 1))

    def test_one_byte_flipped(self):
        data = bytearray(self.read('data/00000000'))
        data[len(data) // 2] ^= 0x01
        self.write('data/00000000', bytes(data))
        found = hashlib.sha256(data).hexdigest()
        # Same size and, on a file system, no ETag: quick cannot tell;
        # the local provider's default (deep) does, naming the file.
        self.assertIntact(QUICK)
        for parameters in (None, DEEP):
            reason = self.assertDamaged(parameters, self.data_key,
                                        'SHA-256 mismatch')
            self.assertIn('expected %s' % self.entry['sha256'], reason)
            self.assertIn('found %s' % found, reason)
            self.assertIn('; it holds c.txt', reason)

    def test_metadata_deleted(self):
        self.remove('metadata')
        for parameters in (QUICK, DEEP):
            reason = self.assertDamaged(parameters, self.key('metadata'))
            self.assertIn('%s is missing' % self.key('metadata'), reason)

    def test_metadata_not_json(self):
        self.write('metadata', b'not json{')
        for parameters in (QUICK, DEEP):
            reason = self.assertDamaged(parameters, self.key('metadata'))
            self.assertIn('%s is not valid JSON' % self.key('metadata'),
                          reason)

    # What the plugin adds: the manifest, complete and consistent

    def test_manifest_deleted(self):
        self.remove('manifest.json')
        for parameters in (QUICK, DEEP):
            reason = self.assertDamaged(parameters,
                                        self.key('manifest.json'))
            self.assertIn('missing', reason)

    def test_manifest_inconsistent(self):
        manifest = dict(self.manifest, total_bytes=base.BETA_BYTES + 7)
        self.write('manifest.json', json.dumps(manifest).encode())
        for parameters in (QUICK, DEEP):
            self.assertDamaged(parameters, self.key('manifest.json'),
                               'the total says %d' % (base.BETA_BYTES + 7))

    def test_manifest_not_json(self):
        self.write('manifest.json', b'{"objects": [')
        for parameters in (QUICK, DEEP):
            self.assertDamaged(parameters, self.key('manifest.json'),
                               'not valid JSON')

    def test_manifest_disagrees_with_metadata(self):
        metadata = json.loads(self.read('metadata'))
        metadata['files'] += 1
        self.write('metadata', json.dumps(metadata).encode())
        self.assertDamaged(QUICK, self.key('metadata'), 'files')

    def test_resource_not_protected(self):
        self.write('status', json.dumps(
            {'status': 'error', 'reason': 'disk on fire'}).encode())
        self.assertDamaged(QUICK, 'not protected successfully',
                           'disk on fire')

    # Depth per type and per resource

    def test_level_of_one_resource(self):
        data = bytearray(self.read('data/00000000'))
        data[0] ^= 0xff
        self.write('data/00000000', bytes(data))
        # The resource's own entry overrides the type's.
        self.assertDamaged(dict(QUICK, **{self.beta: {'level': 'deep'}}),
                           'SHA-256 mismatch')
        self.assertIntact(dict(DEEP, **{self.beta: {'level': 'quick'}}))
        # Deep for alpha only, quick for the others: beta's damage goes
        # unseen.
        self.assertIntact(dict(QUICK, **{self.resource_key('alpha'): {
            'level': 'deep'}}))

    # A plugin without a verification operation

    def test_plugin_without_verify_operation(self):
        self.useFixture(fixtures.MockPatchObject(
            local_directory.LocalDirectoryProtectionPlugin,
            'get_verify_operation', return_value=None))
        # Never an error by that fact alone (upstream failed them all).
        self.assertIntact(None)
        self.assertIntact(DEEP)
        # The bank checks still run.
        self.remove('data/00000000')
        self.assertDamaged(QUICK, '%s is missing' % self.data_key)

    def test_vanished_manifest_without_verify_operation(self):
        """Patches the plugin to offer no verification operation: the
        framework alone must notice that a manifest protect wrote is
        gone."""
        self.useFixture(fixtures.MockPatchObject(
            local_directory.LocalDirectoryProtectionPlugin,
            'get_verify_operation', return_value=None))
        self.remove('manifest.json')
        self.assertDamaged(QUICK, '%s is missing' % self.key('manifest.json'))

    def test_checks_that_cannot_run(self):
        """Patches the framework's check of beta to raise: beta gets an
        error saying so, the others are still checked."""
        real = verification.check_resource
        beta = self.beta

        def check_resource(checkpoint, resource, *args, **kwargs):
            if graph.resource_key(resource) == beta:
                raise RuntimeError('the bank fell over')
            return real(checkpoint, resource, *args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(
            verification, 'check_resource', side_effect=check_resource))
        self.assertDamaged(None, 'the check could not run',
                           'the bank fell over')


class MultiObjectCorruptionTest(base.VerificationTestCase):
    """Directory "big" on the chunked provider: three objects of 1 MiB,
    1 MiB and 0.5 MiB; damage to the middle one is named as such."""

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(
            dirs=('big', 'alpha'), provider_id=base.CHUNKED_PROVIDER_ID)
        self.big = self.resource_key('big')
        self.keys = [self.object_key(self.checkpoint['id'], 'big',
                                     'data/%08d' % i) for i in range(3)]
        self.paths = [self.bank_file(k, base.CHUNKED_PROVIDER_ID)
                      for k in self.keys]
        self.assertEqual([base.MIB, base.MIB, base.MIB // 2],
                         [os.path.getsize(p) for p in self.paths])
        self.assertFalse(os.path.exists(
            self.bank_root(base.CHUNKED_PROVIDER_ID) + '/' +
            self.object_key(self.checkpoint['id'], 'big', 'data/00000003')))

    def verify_big(self, level):
        shown = self.verified(self.checkpoint['id'],
                              {base.DIRECTORY: {'level': level}},
                              provider_id=base.CHUNKED_PROVIDER_ID)
        self.assertEqual('success',
                         shown['resource_status'][self.resource_key('alpha')])
        return shown

    def damaged(self, level, *words):
        shown = self.verify_big(level)
        self.assertEqual(('error', 'error'),
                         (shown['status'], shown['resource_status'][self.big]))
        reason = shown['resource_reason'][self.big]
        for word in words:
            self.assertIn(word, reason)
        for other in (self.keys[0], self.keys[2]):
            self.assertNotIn(other, reason)
        return shown

    def test_intact(self):
        for level in ('quick', 'deep'):
            shown = self.verify_big(level)
            self.assertEqual('success', shown['status'], shown)
            progress = shown['progress']
            alpha = sum(len(data) for rel, data in base.DIRECTORIES.items()
                        if rel.startswith('alpha/'))
            self.assertEqual(
                (2, 2, 4, 4, base.BIG_BYTES + alpha),
                (progress['resources_total'], progress['resources_checked'],
                 progress['objects_total'], progress['objects_checked'],
                 progress['bytes_total']))

    def test_middle_object_truncated(self):
        with open(self.paths[1], 'r+b') as f:
            f.truncate(base.MIB - 576)
        for level in ('quick', 'deep'):
            self.damaged(level, self.keys[1],
                         'size 1048576 expected, 1048000 found')

    def test_middle_object_flipped(self):
        with open(self.paths[1], 'r+b') as f:
            f.seek(12345)
            byte = f.read(1)
            f.seek(12345)
            f.write(bytes([byte[0] ^ 0x80]))
        self.assertEqual('success', self.verify_big('quick')['status'])
        self.damaged('deep', self.keys[1], 'SHA-256 mismatch')

    def test_two_objects_missing(self):
        os.unlink(self.paths[0])
        os.unlink(self.paths[2])
        shown = self.verify_big('quick')
        reason = shown['resource_reason'][self.big]
        self.assertIn('%s is missing' % self.keys[0], reason)
        self.assertIn('%s is missing' % self.keys[2], reason)
        self.assertNotIn(self.keys[1], reason)


class _EtagFileSystemBank(file_system.FileSystemBankPlugin):
    """A file-system bank that reports an MD5 ETag, as Swift does."""

    def head_object(self, key):
        info = super().head_object(key)
        return bank_plugin.ObjectInfo(
            info.size, hashlib.md5(self.get_object(key),
                                   usedforsecurity=False).hexdigest())


class EtagTest(base.VerificationTestCase):
    """Where the bank reports ETags, the quick level compares them with
    the MD5 recorded at protect time: it catches a flipped byte too."""

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(dirs=('beta',))
        # The local provider's bank, seen through the ETag bank.
        self.bank = bank_plugin.Bank(_EtagFileSystemBank(
            cfg.ConfigOpts(), default_path=self.bank_root()))
        self.resource = graph.make_resource(
            base.DIRECTORY, self.directory('beta')['id'])
        self.key = self.object_key(self.checkpoint['id'], 'beta',
                                   'data/00000000')
        # A file-system bank records no MD5 (it reports no ETag); a bank
        # with ETags records the MD5 of every object in the manifest.
        manifest_path = self.bank_file(self.object_key(
            self.checkpoint['id'], 'beta', 'manifest.json'))
        with open(manifest_path) as f:
            manifest = json.load(f)
        self.assertEqual([None], [o['md5'] for o in manifest['objects']])
        for entry in manifest['objects']:
            with open(self.bank_file(self.object_key(
                    self.checkpoint['id'], 'beta', entry['key'])), 'rb') as f:
                entry['md5'] = hashlib.md5(
                    f.read(), usedforsecurity=False).hexdigest()
        with open(manifest_path, 'w') as f:
            json.dump(manifest, f)

    def problems(self, level='quick'):
        progress = verification.Progress(lambda values: None)
        checkpoint = checkpoint_module.Checkpoint(self.bank,
                                                  self.checkpoint['id'])
        return verification.check_resource(checkpoint, self.resource, level,
                                           progress, 2).items

    def test_flipped_byte_at_quick_level(self):
        self.assertEqual([], self.problems())
        path = self.bank_file(self.key)
        with open(path, 'rb') as f:
            data = bytearray(f.read())
        recorded = hashlib.md5(data, usedforsecurity=False).hexdigest()
        data[7] ^= 0x01
        with open(path, 'wb') as f:
            f.write(bytes(data))
        [problem] = self.problems()
        self.assertIn(self.key, problem)
        self.assertIn('MD5 %s recorded' % recorded, problem)
        self.assertIn('ETag %s found' % hashlib.md5(
            data, usedforsecurity=False).hexdigest(), problem)
        [problem] = self.problems('deep')
        self.assertIn('SHA-256 mismatch', problem)
