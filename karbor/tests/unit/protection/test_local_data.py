"""karbor.services.protection.protection_plugins.local_data: the bytes of a
directory into a real file-system bank and back."""

import hashlib
import json
import os
import random
import threading
import time

import fixtures
from oslo_config import cfg

from karbor.common import exception
from karbor.services.protection import bank_plugin
from karbor.services.protection import local_roots
from karbor.services.protection.bank_plugins import file_system
from karbor.services.protection import parallel
from karbor.services.protection.protection_plugins import local_data
from karbor.tests.unit.protection import base

CHUNK = 1024
THREADS = 3


def file_system_bank(path):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    conf.register_opts(file_system.opts, group=file_system.GROUP)
    conf.set_override('path', path, group=file_system.GROUP)
    conf.set_override('fsync', False, group=file_system.GROUP)
    plugin = file_system.FileSystemBankPlugin(conf)
    plugin.check()
    return bank_plugin.Bank(plugin)


class LocalDataTest(base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'root')
        self.src = os.path.join(self.root, 'src')
        os.makedirs(self.src)
        self.bank = file_system_bank(os.path.join(self.tmp, 'bank'))
        self.section = self.bank.section('checkpoints/cp/resource-data/r')
        self.roots = local_roots.Roots([self.root])

    def make_tree(self):
        """Nested directories, empty files and directories, modes, a file
        larger than a chunk, one of exactly a chunk, many small files,
        odd names, and things that are skipped."""
        rnd = random.Random(42)
        src = self.src
        base.write(os.path.join(src, 'a.txt'), b'hello\n', 0o640)
        base.write(os.path.join(src, 'empty'), b'', 0o600)
        base.write(os.path.join(src, 'big.bin'), rnd.randbytes(5 * CHUNK + 7))
        base.write(os.path.join(src, 'exact.bin'), rnd.randbytes(CHUNK))
        base.write(os.path.join(src, 'sub', 'nested', 'deep.bin'),
                   rnd.randbytes(3000), 0o400)
        base.write(os.path.join(src, 'sub', 'nested', 'zero'), b'')
        base.write(os.path.join(src, '..dots'), b'not a parent\n')
        base.write(os.path.join(src, '...'), b'three dots\n')
        base.write(os.path.join(src, 'sp ace é'), b'unicode\n')
        for i in range(150):
            base.write(os.path.join(src, 'many', 'f%03d' % i),
                       rnd.randbytes(rnd.randrange(0, 60)))
        os.makedirs(os.path.join(src, 'emptydir'))
        os.chmod(os.path.join(src, 'emptydir'), 0o711)
        os.chmod(os.path.join(src, 'sub'), 0o750)
        os.chmod(os.path.join(src, 'sub', 'nested'), 0o500)
        # Skipped: symlinks (to a file, to a directory, dangling) and a
        # fifo.
        os.symlink('a.txt', os.path.join(src, 'link'))
        os.symlink('sub', os.path.join(src, 'dirlink'))
        os.symlink('/nowhere', os.path.join(src, 'dangling'))
        os.symlink('/etc', os.path.join(src, 'many', 'etc'))
        os.mkfifo(os.path.join(src, 'sub', 'pipe'))
        os.chmod(src, 0o750)
        # Fixed times, set deepest first (a write changes the parent).
        stamp = 1600000000.5
        for dirpath, dirnames, filenames in sorted(
                os.walk(src), key=lambda t: -t[0].count('/')):
            for name in filenames + dirnames:
                path = os.path.join(dirpath, name)
                if not os.path.islink(path):
                    stamp += 1
                    os.utime(path, (stamp, stamp), follow_symlinks=False)
        os.utime(src, (stamp + 1, stamp + 1))

    def protect(self, path=None, chunk=CHUNK):
        return local_data.protect_directory(path or self.src, self.section,
                                            chunk, THREADS)

    def restore(self, manifest, target=None):
        path, _name = self.roots.target(
            target or os.path.join(self.root, 'restored'))
        return local_data.restore_directory(manifest, self.section, path,
                                            THREADS)

    @staticmethod
    def without_skipped(tree):
        return {k: v for k, v in tree.items() if v != ('other',)}

    def test_round_trip_byte_for_byte(self):
        self.make_tree()
        before = base.snapshot(self.src)
        manifest = self.protect()
        # Protect reads and never changes the source.
        self.assertEqual(before, base.snapshot(self.src))
        target = self.restore(manifest)
        self.assertEqual(os.path.join(self.root, 'restored'), target)
        self.assertEqual(self.without_skipped(before),
                         base.snapshot(target))
        st_src, st_dst = os.stat(self.src), os.stat(target)
        self.assertEqual((0o750, st_src.st_mtime),
                         (st_dst.st_mode & 0o7777, st_dst.st_mtime))
        # Nothing else appeared next to the target.
        self.assertEqual(['restored', 'src'], sorted(os.listdir(self.root)))

    def test_manifest(self):
        self.make_tree()
        manifest = self.protect()
        files = {f['path']: f for f in manifest['files']}
        self.assertEqual(
            {'link', 'dirlink', 'dangling', 'many/etc', 'sub/pipe'},
            set(manifest['skipped']))
        for skipped in manifest['skipped']:
            self.assertNotIn(skipped, files)
        self.assertEqual({'emptydir', 'many', 'sub', 'sub/nested'},
                         {d['path'] for d in manifest['directories']})
        self.assertEqual(5 * CHUNK + 7, files['big.bin']['size'])
        self.assertEqual(0o400, files['sub/nested/deep.bin']['mode'])
        total = sum(f['size'] for f in manifest['files'])
        self.assertEqual(total, manifest['total_bytes'])
        objects = manifest['objects']
        self.assertEqual(-(-total // CHUNK), len(objects))
        self.assertEqual([CHUNK] * (len(objects) - 1),
                         [o['size'] for o in objects[:-1]])
        self.assertEqual(total, sum(o['size'] for o in objects))
        # Every object in the bank is what the manifest says.
        self.assertEqual(sorted(o['key'] for o in objects),
                         self.section.list_objects('data/'))
        for entry in objects:
            data = self.section.get_object(entry['key'])
            self.assertEqual(
                (entry['size'], entry['sha256']),
                (len(data), hashlib.sha256(data).hexdigest()))
        # The manifest is plain JSON.
        self.assertEqual(manifest, json.loads(json.dumps(manifest)))

    def test_unlistable_directory_fails_the_protect(self):
        """Mocks os.scandir for one directory, as if it could not be read:
        the tests run as root, whom no permission stops."""
        base.write(os.path.join(self.src, 'a', 'f'), b'data')
        base.write(os.path.join(self.src, 'secret', 'f'), b'data')
        secret = os.path.join(self.src, 'secret')
        real_scandir = os.scandir

        def scandir(path='.'):
            if os.fspath(path) == secret:
                raise PermissionError(13, 'Permission denied', secret)
            return real_scandir(path)
        self.useFixture(fixtures.MonkeyPatch('os.scandir', scandir))
        e = self.assertRaises(PermissionError, self.protect)
        self.assertEqual(secret, e.filename)

    def test_stream_is_the_files_in_manifest_order(self):
        self.make_tree()
        manifest = self.protect()
        stream = b''.join(self.section.get_object(o['key'])
                          for o in manifest['objects'])
        expected = b''
        for entry in manifest['files']:
            with open(os.path.join(self.src, entry['path']), 'rb') as f:
                expected += f.read()
        self.assertEqual(expected, stream)

    def test_empty_directory(self):
        manifest = self.protect()
        self.assertEqual(([], [], [], 0),
                         (manifest['objects'], manifest['files'],
                          manifest['directories'], manifest['total_bytes']))
        target = self.restore(manifest)
        self.assertEqual([], os.listdir(target))

    def test_only_empty_files(self):
        for name in ('x', 'y', 'd/z'):
            base.write(os.path.join(self.src, name))
        manifest = self.protect()
        self.assertEqual([], manifest['objects'])
        target = self.restore(manifest)
        self.assertEqual(self.without_skipped(base.snapshot(self.src)),
                         base.snapshot(target))

    def test_one_chunk_holding_many_files_and_one_file_over_many(self):
        rnd = random.Random(7)
        for chunk in (1, 7, 4096):
            src = os.path.join(self.root, 'src-%d' % chunk)
            base.write(os.path.join(src, 'one'), rnd.randbytes(100))
            base.write(os.path.join(src, 'two'), rnd.randbytes(3))
            manifest = self.protect(src, chunk)
            self.assertEqual(-(-103 // chunk), len(manifest['objects']))
            target = self.restore(manifest, os.path.join(
                self.root, 'back-%d' % chunk))
            self.assertEqual(base.snapshot(src), base.snapshot(target))

    def test_restore_into_an_existing_empty_directory(self):
        self.make_tree()
        manifest = self.protect()
        target = os.path.join(self.root, 'empty-target')
        os.mkdir(target)
        self.assertEqual(target, self.restore(manifest, target))
        self.assertEqual(self.without_skipped(base.snapshot(self.src)),
                         base.snapshot(target))

    # Corruption

    def corrupt_and_restore(self, corrupt):
        self.make_tree()
        manifest = self.protect()
        key = manifest['objects'][2]['key']
        path = os.path.join(self.tmp, 'bank', *self.section.full_key(
            key).split('/'))
        corrupt(path)
        before = sorted(os.listdir(self.root))
        e = self.assertRaises(Exception, self.restore, manifest)
        # Nothing left behind: no partial directory, no target.
        self.assertEqual(before, sorted(os.listdir(self.root)))
        return e, key, manifest['objects'][2]

    def test_flipped_byte(self):
        def flip(path):
            with open(path, 'r+b') as f:
                f.seek(100)
                byte = f.read(1)
                f.seek(100)
                f.write(bytes([byte[0] ^ 0x01]))
        e, key, entry = self.corrupt_and_restore(flip)
        self.assertIsInstance(e, exception.ProtectionFailed)
        self.assertIn(key, str(e))
        self.assertIn('SHA-256 mismatch', str(e))
        self.assertIn('expected %s' % entry['sha256'], str(e))

    def test_truncated_object(self):
        def truncate(path):
            os.truncate(path, 1000)
        e, key, entry = self.corrupt_and_restore(truncate)
        self.assertIsInstance(e, exception.ProtectionFailed)
        self.assertIn('object %s: size %d expected, 1000 found' % (
            key, CHUNK), str(e))

    def test_deleted_object(self):
        e, key, entry = self.corrupt_and_restore(os.unlink)
        # The bank's own error, naming the whole key of the object.
        self.assertIsInstance(e, exception.BankObjectNotFound)
        self.assertIn(self.section.full_key(key), str(e))

    def test_bad_manifest_paths(self):
        base.write(os.path.join(self.src, 'f'), b'data')
        good = self.protect()
        bad_paths = ('../x', 'a/../../x', '/etc/x', '..', '.', '')
        for bad in bad_paths:
            for where in ('files', 'directories'):
                manifest = json.loads(json.dumps(good))
                if where == 'files':
                    manifest['files'][0]['path'] = bad
                else:
                    manifest['directories'] = [{'path': bad, 'mode': 0o755,
                                                'mtime': 0}]
                e = self.assertRaises(exception.ProtectionFailed,
                                      self.restore, manifest)
                self.assertIn('not inside the directory', str(e))
                self.assertIn(repr(bad), str(e))
                self.assertEqual(['src'], os.listdir(self.root))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'x')))

    def test_manifest_and_objects_disagree(self):
        base.write(os.path.join(self.src, 'f'), b'0123456789')
        good = self.protect(chunk=4)
        longer = json.loads(json.dumps(good))
        longer['files'][0]['size'] = 11
        e = self.assertRaises(exception.ProtectionFailed, self.restore,
                              longer)
        self.assertIn('1 bytes before the files do (in f)', str(e))
        shorter = json.loads(json.dumps(good))
        shorter['files'][0]['size'] = 9
        e = self.assertRaises(exception.ProtectionFailed, self.restore,
                              shorter)
        self.assertIn('more bytes than the files', str(e))
        self.assertEqual(['src'], os.listdir(self.root))

    # Where a restore may go

    def test_target_outside_the_roots(self):
        manifest = self.protect()
        outside = os.path.join(self.tmp, 'outside')
        os.symlink(self.tmp, os.path.join(self.root, 'escape'))
        for target in (outside, os.path.join(self.root, '..', 'x'),
                       os.path.join(self.root, 'escape', 'x'), self.root,
                       '/etc/karbor-test'):
            e = self.assertRaises(exception.InvalidInput, self.restore,
                                  manifest, target)
            self.assertIn('restore target', str(e))
            self.assertIn('not', str(e))
        self.assertFalse(os.path.exists(outside))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'x')))

    def test_target_that_exists(self):
        manifest = self.protect()
        full = os.path.join(self.root, 'full')
        base.write(os.path.join(full, 'keep'), b'mine')
        e = self.assertRaises(exception.InvalidInput, self.restore,
                              manifest, full)
        self.assertIn('not empty', str(e))
        self.assertEqual(b'mine', open(os.path.join(full, 'keep'),
                                       'rb').read())
        base.write(os.path.join(self.root, 'file'), b'mine')
        os.symlink(self.tmp, os.path.join(self.root, 'link'))
        for name in ('file', 'link'):
            e = self.assertRaises(exception.InvalidInput, self.restore,
                                  manifest, os.path.join(self.root, name))
            self.assertIn('not a directory', str(e))

    def test_check_restore_target(self):
        self.assertEqual(
            (os.path.join(self.root, 'new'), 'new'),
            self.roots.target(os.path.join(self.root, 'src', '..', 'new')))
        self.assertEqual((os.path.join(self.root, 'src', 'new'), 'src/new'),
                         self.roots.target('src/new'))


class OrderedMapTest(base.ProtectionTestCase):
    """karbor.services.protection.parallel.ordered_map, which bounds the
    memory of protect and restore."""

    def counting(self, n, state):
        for i in range(n):
            with state['lock']:
                state['taken'] += 1
                state['max'] = max(state['max'],
                                   state['taken'] - state['yielded'])
            yield i

    def state(self):
        return {'taken': 0, 'yielded': 0, 'max': 0,
                'lock': threading.Lock()}

    def test_order_and_bound(self):
        rnd = random.Random(1)
        delays = [rnd.random() / 200 for _ in range(60)]
        state = self.state()
        threads = 4
        results = []

        def work(i):
            time.sleep(delays[i])
            return i * i
        for value in parallel.ordered_map(work, self.counting(60, state),
                                          threads):
            results.append(value)
            with state['lock']:
                state['yielded'] += 1
        self.assertEqual([i * i for i in range(60)], results)
        self.assertEqual(threads + 1, state['max'])

    def test_failure_stops_taking_items(self):
        state = self.state()

        def work(i):
            if i == 3:
                raise ValueError('item 3 is bad')
            return i
        gen = parallel.ordered_map(work, self.counting(1000, state), 2)
        got = []
        e = self.assertRaises(ValueError, lambda: [got.append(v)
                                                   for v in gen])
        self.assertEqual('item 3 is bad', str(e))
        self.assertEqual([0, 1, 2], got)
        self.assertLessEqual(state['taken'], 3 + 2 + 1)
