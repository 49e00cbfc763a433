"""The bank contract on a real OpenStack Swift (tools/swift/swift.sh),
one container per test."""

import os

import fixtures
from oslotest import base

from karbor.common import exception
from karbor.services.protection import bank_plugin
from karbor.services.protection.bank_plugins import swift
from karbor.tests.functional.banks import bank_tests
from karbor.tests.functional import swift_fixture


class SwiftBankTest(bank_tests.BankTests, base.BaseTestCase):

    def make_plugin(self, **overrides):
        if not hasattr(self, 'container'):
            self.tmp = self.useFixture(fixtures.TempDir()).path
            self.container = self.useFixture(swift_fixture.SwiftContainer())
        options = {'container': self.container.name,
                   'auth_url': self.container.auth_url,
                   'auth_version': '1',
                   'user': self.container.user,
                   'key': self.container.key}
        options.update(overrides)
        conf = bank_tests.plugin_conf(os.path.join(self.tmp, 'provider.conf'),
                                      {'swift_bank': options})
        return swift.SwiftBankPlugin(conf)

    def expected_etag(self, data):
        return bank_tests.md5(data)

    def test_check_creates_the_container(self):
        headers = self.container.connection().head_container(
            self.container.name)
        self.assertEqual('0', headers['x-container-object-count'])

    def test_wrong_credentials(self):
        plugin = self.make_plugin(key='wrong-key', retries=0)
        e = self.assertRaises(exception.BankUnavailable, plugin.check)
        self.assertIn('credentials', str(e))
        bank = bank_plugin.Bank(self.make_plugin(user='test:nobody'))
        e = self.assertRaises(exception.BankUnavailable, bank.put_object,
                              'k', b'x')
        self.assertIn('credentials', str(e))

    def test_objects_are_in_the_container(self):
        data = b'seen by another client'
        self.bank.put_object('plans/p1/md', data)
        headers, body = self.container.connection().get_object(
            self.container.name, 'plans/p1/md')
        self.assertEqual(data, body)
        self.assertEqual(bank_tests.md5(data), headers['etag'])

    def test_put_after_the_token_expired(self):
        self.bank.put_object('before', b'1')
        # As if tempauth had forgotten the token: Swift answers 401, the
        # client authenticates again and sends the object again.
        self.plugin.connection.token = 'AUTH_tk' + 'expired' * 4
        self.bank.put_object('after', b'2' * 100000)
        self.assertEqual(b'2' * 100000, self.bank.get_object('after'))
