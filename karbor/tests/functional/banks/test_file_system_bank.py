"""The bank contract on the file-system bank, in a temporary directory."""

import os

import fixtures
from oslotest import base

from karbor.services.protection.bank_plugins import file_system
from karbor.tests.functional.banks import bank_tests


class FileSystemBankTest(bank_tests.BankTests, base.BaseTestCase):

    def make_plugin(self):
        if not hasattr(self, 'tmp'):
            self.tmp = self.useFixture(fixtures.TempDir()).path
        conf = bank_tests.plugin_conf(
            os.path.join(self.tmp, 'provider.conf'),
            {'file_system_bank': {'path': os.path.join(self.tmp, 'bank')}})
        return file_system.FileSystemBankPlugin(conf)

    def expected_etag(self, data):
        # A file system keeps no MD5; verification reads the data.
        return None

    def test_default_path(self):
        conf = bank_tests.plugin_conf(os.path.join(self.tmp, 'empty.conf'),
                                      {})
        default = os.path.join(self.tmp, 'state', 'bank', 'p1')
        plugin = file_system.FileSystemBankPlugin(conf, default_path=default)
        plugin.check()
        self.assertTrue(os.path.isdir(default))

    def test_no_temporary_file_left(self):
        self.bank.put_object('a/b', b'x' * 1000)
        self.bank.put_object('a/b', (c for c in [b'y'] * 1000))
        self.assertEqual(['b'], os.listdir(os.path.join(self.tmp, 'bank',
                                                        'a')))

    def test_temporaries_of_a_killed_write_go_with_the_checkpoint(self):
        # What a process killed in the middle of a write leaves.
        self.bank.put_object('checkpoints/c1/r/data/00000000', b'x')
        self.bank.put_object('checkpoints/c2/index.json', b'{}')
        orphan = os.path.join(self.tmp, 'bank', 'checkpoints', 'c1', 'r',
                              'data', '.tmp-0123456789abcdef')
        with open(orphan, 'wb') as f:
            f.write(b'half an object')
        self.assertEqual([], self.bank.list_objects('checkpoints/c1/r/data/x'))
        for key in self.bank.list_objects('checkpoints/c1/'):
            self.bank.delete_object(key)
        self.assertEqual(['c2'], os.listdir(os.path.join(
            self.tmp, 'bank', 'checkpoints')))
