"""The contract of a bank, as one suite run against every bank plugin.

A subclass mixes :class:`BankTests` into a test case and says how to make
its plugin (:meth:`BankTests.make_plugin`) and what ETag it reports
(:meth:`BankTests.expected_etag`). Everything else, and every assertion,
is shared: the banks must behave the same.
"""

import hashlib
import threading
import time

from oslo_config import cfg

from karbor.common import exception
from karbor.services.protection import bank_plugin
from karbor.tests.functional import utils

MiB = 1 << 20


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


# 25 keys under "k/" whose byte order is not their order of creation, with
# nesting, and with characters that sort before and after "/" (0x2f):
# "+" "-" "." sort before it, digits ":" "=" "@" letters "_" after. A bank
# that lists directory by directory must still give one flat byte order.
# (No key is also the prefix of another, "k/1" beside "k/1/a": a directory
# cannot be a file too, and the file-system bank refuses that.)
PAGED_KEYS = sorted([
    'k/00', 'k/01', 'k/02', 'k/1+x', 'k/1-x', 'k/1.x', 'k/1/a', 'k/1/b/c',
    'k/1/b/d', 'k/10', 'k/1:x', 'k/1=x', 'k/1@x', 'k/1A', 'k/1_x', 'k/1a',
    'k/1b', 'k/2/0', 'k/2/1', 'k/3', 'k/A', 'k/Z', 'k/_', 'k/a', 'k/z#1',
])
# Near the paged keys, outside the "k/" prefix.
OUTSIDE_KEYS = ['k.x', 'k0', 'k-1', 'j/1', 'l/1', 'kk/1']

INVALID_KEYS = [
    '', '/', '//a', 'a//b', 'a/b/', '..', 'a/../b', '../a', '.', 'a/./b',
    'a b', 'a?b', 'a%2Fb', 'a\\b', 'a\nb', 'caf\u00e9', 'a*', 'a"b',
    "a'b", 'a&b', None, 7,
]


def plugin_conf(path, sections):
    """A ConfigOpts read from an ini file, like a provider's: the bank
    plugin registers its own group on it."""
    utils.write_config(path, sections)
    conf = cfg.ConfigOpts()
    conf(args=[], project='karbor', default_config_files=[path])
    return conf


class BankTests:
    """Mixed into a testtools test case."""

    def make_plugin(self):
        """A new bank plugin on storage of this test only."""
        raise NotImplementedError

    def expected_etag(self, data):
        """What put_object and head_object report as ETag for ``data``
        (the same)."""
        raise NotImplementedError

    def setUp(self):
        super().setUp()
        self.plugin = self.make_plugin()
        self.plugin.check()
        self.bank = bank_plugin.Bank(self.plugin)

    def put_keys(self, keys, bank=None):
        for key in keys:
            (bank or self.bank).put_object(key, key.encode())

    # ----------------------------------------------------- objects

    def test_put_get_bytes(self):
        data = b'\x00checkpoint\xff' * 1000
        info = self.bank.put_object('plans/p1/md', data)
        self.assertEqual(
            bank_plugin.ObjectInfo(len(data), self.expected_etag(data)), info)
        self.assertEqual(data, self.bank.get_object('plans/p1/md'))

    def test_put_get_chunks(self):
        chunks = [b'a' * 100000, b'', b'b' * 3, bytes(range(256)) * 4000]
        data = b''.join(chunks)
        # A generator: the bank may read it once only.
        info = self.bank.put_object('chunks', (c for c in chunks))
        self.assertEqual(
            bank_plugin.ObjectInfo(len(data), self.expected_etag(data)), info)
        self.assertEqual(data, self.bank.get_object('chunks'))

    def test_put_get_empty(self):
        info = self.bank.put_object('empty', b'')
        self.assertEqual(bank_plugin.ObjectInfo(0, self.expected_etag(b'')),
                         info)
        self.assertEqual(b'', self.bank.get_object('empty'))
        self.assertEqual(0, self.bank.head_object('empty').size)
        self.assertEqual([], list(c for c in self.bank.iter_object('empty')
                                  if c))

    def test_put_bytearray_and_memoryview(self):
        self.bank.put_object('ba', bytearray(b'bytearray'))
        self.bank.put_object('mv', memoryview(b'memoryview'))
        self.assertEqual(b'bytearray', self.bank.get_object('ba'))
        self.assertEqual(b'memoryview', self.bank.get_object('mv'))

    def test_head_object(self):
        data = b'x' * 12345
        self.bank.put_object('a/b/c', data)
        info = self.bank.head_object('a/b/c')
        self.assertEqual(12345, info.size)
        self.assertEqual(self.expected_etag(data), info.etag)

    def test_leading_slash_is_the_same_key(self):
        self.bank.put_object('/a/b', b'1')
        self.assertEqual(b'1', self.bank.get_object('a/b'))
        self.assertEqual(['a/b'], self.bank.list_objects())

    def test_iter_object_streams_chunks(self):
        data = bytes(range(256)) * (3 * MiB // 256) + b'tail'
        self.bank.put_object('big', data)
        chunk_size = 64 * 1024
        chunks = list(self.bank.iter_object('big', chunk_size=chunk_size))
        self.assertEqual(data, b''.join(chunks))
        self.assertTrue(all(len(c) <= chunk_size for c in chunks),
                        [len(c) for c in chunks if len(c) > chunk_size])
        self.assertGreaterEqual(len(chunks), len(data) // chunk_size)

    def test_two_streams_and_a_write_in_one_thread(self):
        # A copy, the way a plugin does one: read two objects at once and
        # write a third from them, all in one thread.
        a, b = b'A' * (2 * MiB), b'B' * (2 * MiB + 1)
        self.bank.put_object('a', a)
        self.bank.put_object('b', b)
        it_a = self.bank.iter_object('a', chunk_size=MiB)
        it_b = self.bank.iter_object('b', chunk_size=MiB)
        sent = []

        def interleaved():
            for pair in zip(it_a, it_b):
                sent.extend(pair)
                yield from pair
                # And a request of another kind in the middle.
                self.assertEqual(len(b), self.bank.head_object('b').size)
            for chunk in it_b:
                sent.append(chunk)
                yield chunk

        info = self.bank.put_object('ab', interleaved())
        expected = b''.join(sent)
        self.assertEqual((a.count(b'A'), b.count(b'B')),
                         (expected.count(b'A'), expected.count(b'B')))
        self.assertEqual(bank_plugin.ObjectInfo(len(expected),
                                                self.expected_etag(expected)),
                         info)
        self.assertEqual(expected, self.bank.get_object('ab'))

    def test_put_unsynced_then_sync(self):
        # Visible at once; durable (on the file-system bank, fsynced with
        # its directory) once sync_objects returns.
        data = bytes(range(256)) * 4096
        info = self.bank.put_object_unsynced('u/a', bytearray(data))
        self.assertEqual(
            bank_plugin.ObjectInfo(len(data), self.expected_etag(data)), info)
        self.bank.put_object_unsynced('u/b', memoryview(b'b'))
        self.assertEqual(data, self.bank.get_object('u/a'))
        self.bank.sync_objects(['u/a', 'u/b'])
        self.assertEqual(['u/a', 'u/b'], self.bank.list_objects('u/'))
        self.assertEqual(b'b', self.bank.get_object('u/b'))

    def test_read_into(self):
        data = bytes(range(256)) * (MiB // 256) + b'tail'
        self.bank.put_object('r', data)
        buffer = bytearray(len(data))
        self.assertEqual(len(data), self.bank.read_into('r', buffer))
        self.assertEqual(data, bytes(buffer))
        # A buffer of another size: the object's size is the answer.
        self.assertEqual(len(data), self.bank.read_into(
            'r', bytearray(len(data) - 1)))
        self.assertEqual(len(data), self.bank.read_into(
            'r', bytearray(len(data) + 1)))
        self.bank.put_object('empty-r', b'')
        self.assertEqual(0, self.bank.read_into('empty-r', bytearray(0)))
        self.assertRaises(exception.BankObjectNotFound,
                          self.bank.read_into, 'absent', bytearray(1))

    def test_iter_object_into(self):
        data = bytes(range(256)) * (3 * MiB // 256) + b'tail'
        self.bank.put_object('s', data)
        buffer = bytearray(64 * 1024)
        view = memoryview(buffer)
        got = []
        for n in self.bank.iter_object_into('s', buffer):
            self.assertTrue(0 < n <= len(buffer))
            got.append(bytes(view[:n]))
        self.assertEqual(data, b''.join(got))
        # At the call or at the first read, depending on the bank.
        self.assertRaises(exception.BankObjectNotFound, lambda: list(
            self.bank.iter_object_into('absent', buffer)))

    def test_missing_object(self):
        self.bank.put_object('dir/present', b'x')
        for key in ('absent', 'dir/absent', 'dir', 'dir/present/below',
                    'absent/dir/key'):
            self.assertRaises(exception.BankObjectNotFound,
                              self.bank.get_object, key)
            self.assertRaises(exception.BankObjectNotFound,
                              self.bank.head_object, key)
            # At the call, before any chunk is asked for.
            self.assertRaises(exception.BankObjectNotFound,
                              self.bank.iter_object, key)
            self.assertRaises(exception.BankObjectNotFound,
                              self.bank.get_json, key)

    def test_delete_is_idempotent(self):
        self.bank.put_object('d/e/f', b'x')
        self.bank.put_object('d/g', b'y')
        self.bank.delete_object('d/e/f')
        self.assertRaises(exception.BankObjectNotFound,
                          self.bank.head_object, 'd/e/f')
        self.bank.delete_object('d/e/f')
        self.bank.delete_object('never/there')
        self.bank.delete_object('d/g/below')
        self.assertEqual(['d/g'], self.bank.list_objects())
        self.assertEqual(b'y', self.bank.get_object('d/g'))

    def test_invalid_keys_are_refused(self):
        section = self.bank.section('s')
        calls = [lambda k: self.bank.put_object(k, b'x'),
                 lambda k: self.bank.put_json(k, {}),
                 self.bank.get_object,
                 self.bank.get_json,
                 self.bank.head_object,
                 self.bank.iter_object,
                 self.bank.delete_object,
                 lambda k: section.put_object(k, b'x'),
                 section.get_object,
                 section.delete_object]
        markers = [lambda k: self.bank.list_objects(marker=k),
                   lambda k: section.list_objects(marker=k)]
        for key in INVALID_KEYS:
            # marker=None means no marker.
            for call in calls + (markers if key is not None else []):
                self.assertRaises(exception.BankInvalidKey, call, key)
        for prefix in ('a//b/', '../', 'a b/', '..', 'a/../b'):
            self.assertRaises(exception.BankInvalidKey,
                              self.bank.list_objects, prefix)
            self.assertRaises(exception.BankInvalidKey,
                              self.bank.section, prefix)
        self.assertEqual([], self.bank.list_objects())

    def test_json(self):
        value = {'status': 'available', 'sizes': [1, 2], 'name': 'caf\u00e9'}
        self.bank.put_json('c/md', value)
        self.assertEqual(value, self.bank.get_json('c/md'))
        self.bank.put_object('c/bad', b'{not json')
        self.assertRaises(exception.BankObjectCorrupt,
                          self.bank.get_json, 'c/bad')

    # ----------------------------------------------------- listing

    def test_list_prefix(self):
        self.put_keys(['plans/p1/a', 'plans/p1/b/c', 'plans/p10/a',
                       'plans/p2/a', 'plansx', 'other/p1/a'])
        self.assertEqual(['plans/p1/a', 'plans/p1/b/c'],
                         self.bank.list_objects('plans/p1/'))
        # A prefix is a string prefix, not a directory.
        self.assertEqual(['plans/p1/a', 'plans/p1/b/c', 'plans/p10/a'],
                         self.bank.list_objects('plans/p1'))
        self.assertEqual(['plans/p1/b/c'],
                         self.bank.list_objects('plans/p1/b'))
        self.assertEqual(['plans/p1/a', 'plans/p1/b/c', 'plans/p10/a',
                          'plans/p2/a', 'plansx'],
                         self.bank.list_objects('plans'))
        self.assertEqual([], self.bank.list_objects('plans/p3/'))
        self.assertEqual([], self.bank.list_objects('plans/p1/a/'))
        self.assertEqual(['other/p1/a', 'plans/p1/a', 'plans/p1/b/c',
                          'plans/p10/a', 'plans/p2/a', 'plansx'],
                         self.bank.list_objects())

    def test_list_every_page_both_directions(self):
        self.put_keys(PAGED_KEYS + OUTSIDE_KEYS)
        self.assertEqual(25, len(PAGED_KEYS))
        self.assertEqual(PAGED_KEYS, self.bank.list_objects('k/'))
        for sort_dir, expected in (('asc', PAGED_KEYS),
                                   ('desc', PAGED_KEYS[::-1])):
            self.assertEqual(expected,
                             self.bank.list_objects('k/', sort_dir=sort_dir))
            pages, marker = [], None
            while True:
                page = self.bank.list_objects('k/', marker=marker, limit=7,
                                              sort_dir=sort_dir)
                start = 7 * len(pages)
                self.assertEqual(expected[start:start + 7], page,
                                 '%s page %d' % (sort_dir, len(pages)))
                pages.append(page)
                if len(page) < 7:
                    break
                marker = page[-1]
            self.assertEqual([7, 7, 7, 4], [len(p) for p in pages])

    def test_list_marker_in_the_middle(self):
        self.put_keys(PAGED_KEYS + OUTSIDE_KEYS)
        keys = PAGED_KEYS
        marker = keys[12]
        self.assertEqual(keys[13:],
                         self.bank.list_objects('k/', marker=marker))
        self.assertEqual(keys[:12][::-1],
                         self.bank.list_objects('k/', marker=marker,
                                                sort_dir='desc'))
        self.assertEqual(keys[13:16],
                         self.bank.list_objects('k/', marker=marker, limit=3))
        self.assertEqual(keys[9:12][::-1],
                         self.bank.list_objects('k/', marker=marker, limit=3,
                                                sort_dir='desc'))
        # A marker that is no key: the keys after (before) it.
        between = 'k/1/b/c0'
        self.assertNotIn(between, keys)
        after = [k for k in keys if k > between]
        before = [k for k in keys if k < between]
        self.assertEqual(after, self.bank.list_objects('k/', marker=between))
        self.assertEqual(before[::-1],
                         self.bank.list_objects('k/', marker=between,
                                                sort_dir='desc'))
        # Markers at and beyond the ends.
        self.assertEqual([], self.bank.list_objects('k/', marker=keys[-1]))
        self.assertEqual([], self.bank.list_objects('k/', marker=keys[0],
                                                    sort_dir='desc'))
        self.assertEqual(keys, self.bank.list_objects('k/', marker='a'))
        self.assertEqual(keys[::-1],
                         self.bank.list_objects('k/', marker='z',
                                                sort_dir='desc'))

    def test_list_limits(self):
        self.put_keys(PAGED_KEYS)
        self.assertEqual([], self.bank.list_objects('k/', limit=0))
        self.assertEqual(PAGED_KEYS, self.bank.list_objects('k/', limit=100))
        self.assertEqual(PAGED_KEYS[:1], self.bank.list_objects(limit=1))
        self.assertEqual(PAGED_KEYS[-1:],
                         self.bank.list_objects(limit=1, sort_dir='desc'))
        self.assertRaises(exception.InvalidInput,
                          self.bank.list_objects, limit=-1)
        self.assertRaises(exception.InvalidInput,
                          self.bank.list_objects, sort_dir='up')

    def test_list_empty_bank(self):
        self.assertEqual([], self.bank.list_objects())
        self.assertEqual([], self.bank.list_objects('a/', sort_dir='desc'))

    # ----------------------------------------------------- sections

    def test_section(self):
        section = self.bank.section('checkpoints/c1/resources/r1/')
        sibling = self.bank.section('checkpoints/c1/resources/r10')
        self.assertEqual('checkpoints/c1/resources/r1/data/0',
                         section.full_key('data/0'))
        for i in range(10):
            section.put_object('data/%d' % i, b'%d' % i)
        section.put_json('metadata', {'size': 10})
        sibling.put_object('data/0', b'sibling')
        self.bank.put_object('checkpoints/c1/resources/r1x', b'not inside')

        self.assertEqual(b'3', section.get_object('data/3'))
        self.assertEqual(b'3', self.bank.get_object(
            'checkpoints/c1/resources/r1/data/3'))
        self.assertEqual({'size': 10}, section.get_json('metadata'))
        self.assertEqual(b'sibling', sibling.get_object('data/0'))
        self.assertEqual(1, section.head_object('data/3').size)
        self.assertEqual(b'7', b''.join(section.iter_object('data/7')))

        data_keys = ['data/%d' % i for i in range(10)]
        self.assertEqual(data_keys + ['metadata'], section.list_objects())
        self.assertEqual(data_keys, section.list_objects('data/'))
        self.assertEqual(data_keys[4:7],
                         section.list_objects('data/', marker='data/3',
                                              limit=3))
        self.assertEqual(data_keys[:3][::-1],
                         section.list_objects('data/', marker='data/3',
                                              sort_dir='desc'))
        self.assertEqual(['metadata', 'data/9'],
                         section.list_objects(limit=2, sort_dir='desc'))
        self.assertEqual(['data/0'], sibling.list_objects())

        section.delete_object('data/0')
        section.delete_object('data/0')
        self.assertRaises(exception.BankObjectNotFound,
                          section.get_object, 'data/0')
        self.assertEqual(b'sibling', sibling.get_object('data/0'))
        for key in ('../r10/data/0', 'data//1', ''):
            self.assertRaises(exception.BankInvalidKey,
                              section.get_object, key)

    # ----------------------------------------------------- atomicity

    def test_overwrite_is_atomic(self):
        size = 4 * MiB
        versions = [bytes([v]) * (size // 2) + bytes([v + 1]) * (size // 2)
                    for v in (0x10, 0x40)]
        self.bank.put_object('atomic/obj', versions[0])
        stop = threading.Event()
        errors = []
        writes = [0]

        def writer():
            # Its own plugin: a second client of the same storage.
            try:
                bank = bank_plugin.Bank(self.make_plugin())
                while not stop.is_set():
                    bank.put_object('atomic/obj',
                                    versions[(writes[0] + 1) % 2])
                    writes[0] += 1
            except Exception as e:
                errors.append('writer: %r' % e)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        seen = set()
        reads = 0
        deadline = time.monotonic() + 60
        try:
            while (len(seen) < 2 or reads < 20 or writes[0] < 10) and \
                    not errors and time.monotonic() < deadline:
                if reads % 2:
                    data = b''.join(self.bank.iter_object('atomic/obj',
                                                          chunk_size=MiB))
                else:
                    data = self.bank.get_object('atomic/obj')
                reads += 1
                if data not in versions:
                    self.fail('read %d saw a partial or mixed object: %d '
                              'bytes, first %r, last %r' %
                              (reads, len(data), data[:1], data[-1:]))
                seen.add(versions.index(data))
                self.assertEqual(['atomic/obj'],
                                 self.bank.list_objects('atomic/'))
        finally:
            stop.set()
            thread.join(30)
        self.assertEqual([], errors)
        self.assertEqual({0, 1}, seen,
                         'in %d reads during %d writes, the reader never '
                         'saw both versions' % (reads, writes[0]))
        self.assertIn(self.bank.get_object('atomic/obj'), versions)
        self.assertEqual(['atomic/obj'], self.bank.list_objects())
