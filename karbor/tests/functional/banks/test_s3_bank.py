"""The bank contract on S3: the s3api of the real OpenStack Swift of
tools/swift/swift.sh (real signature checks), one bucket per test."""

import hashlib
import logging
import os
import uuid

import boto3
from botocore import config as botocore_config
from botocore import exceptions as botocore_exc
import fixtures
from oslotest import base

from karbor.common import exception
from karbor.services.protection import bank_plugin
from karbor.services.protection.bank_plugins import s3
from karbor.tests.functional.banks import bank_tests
from karbor.tests.functional import swift_fixture

MiB = bank_tests.MiB


class S3Bucket(fixtures.Fixture):
    """A bucket name of its own on Swift's s3api, and the credentials.
    The bucket (created by whoever uses it first) is emptied, its
    unfinished multipart uploads aborted, and deleted at clean-up."""

    def setUp(self):
        # Before Fixture.setUp, as in SwiftContainer: a Swift that cannot
        # start fails the test with the reason.
        self.endpoint = swift_fixture.ensure_swift()
        super().setUp()

    def _setUp(self):
        self.endpoint_url = self.endpoint.s3_endpoint
        # The tempauth user and key are the S3 access key and secret.
        self.access_key = self.endpoint.user
        self.secret_key = self.endpoint.key
        self.name = 'karbor-test-%s' % uuid.uuid4().hex
        self.addCleanup(self._remove)

    def client(self):
        """A boto3 client of its own, with boto3's defaults."""
        return boto3.session.Session().client(
            's3', endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name='us-east-1',
            config=botocore_config.Config(s3={'addressing_style': 'path'}))

    def _remove(self):
        client = self.client()
        try:
            for page in client.get_paginator('list_multipart_uploads') \
                    .paginate(Bucket=self.name):
                for upload in page.get('Uploads', ()):
                    client.abort_multipart_upload(
                        Bucket=self.name, Key=upload['Key'],
                        UploadId=upload['UploadId'])
            for page in client.get_paginator('list_objects_v2').paginate(
                    Bucket=self.name):
                for item in page.get('Contents', ()):
                    client.delete_object(Bucket=self.name, Key=item['Key'])
            client.delete_bucket(Bucket=self.name)
        except botocore_exc.ClientError as e:
            if e.response['Error']['Code'] != 'NoSuchBucket':
                raise
        finally:
            client.close()


class S3BankTest(bank_tests.BankTests, base.BaseTestCase):

    def make_plugin(self, **overrides):
        if not hasattr(self, 'bucket'):
            # botocore logs every request, its signing steps and its
            # headers at DEBUG: kept with the test, shown if it fails.
            self.useFixture(fixtures.FakeLogger(name='botocore',
                                                level=logging.INFO))
            self.tmp = self.useFixture(fixtures.TempDir()).path
            self.bucket = self.useFixture(S3Bucket())
        options = {'endpoint_url': self.bucket.endpoint_url,
                   'region': 'us-east-1',
                   'access_key': self.bucket.access_key,
                   'secret_key': self.bucket.secret_key,
                   'bucket': self.bucket.name,
                   'addressing_style': 'path'}
        options.update(overrides)
        conf = bank_tests.plugin_conf(os.path.join(self.tmp, 'provider.conf'),
                                      {'s3_bank': options})
        return s3.S3BankPlugin(conf)

    def expected_etag(self, data):
        return bank_tests.md5(data)

    def test_check_creates_the_bucket(self):
        response = self.bucket.client().list_objects_v2(
            Bucket=self.bucket.name)
        self.assertEqual(0, response['KeyCount'])
        # Again, on a bucket that exists.
        self.plugin.check()
        self.make_plugin().check()

    def test_wrong_secret(self):
        plugin = self.make_plugin(secret_key='wrong-secret', retries=0)
        e = self.assertRaises(exception.BankUnavailable, plugin.check)
        self.assertIn('credentials', str(e))
        self.assertIn('secret key', str(e))
        self.assertIn(self.bucket.name, str(e))
        self.assertNotIn('wrong-secret', str(e))
        # And on every operation, not only at check().
        bank = bank_plugin.Bank(plugin)
        for call in (lambda: bank.put_object('k', b'x'),
                     lambda: bank.get_object('k'),
                     lambda: bank.head_object('k'),
                     lambda: bank.list_objects(),
                     lambda: bank.delete_object('k')):
            e = self.assertRaises(exception.BankUnavailable, call)
            self.assertIn('credentials', str(e))

    def test_unknown_access_key(self):
        plugin = self.make_plugin(access_key='test:nobody', retries=0)
        e = self.assertRaises(exception.BankUnavailable, plugin.check)
        self.assertIn('credentials', str(e))
        self.assertIn('test:nobody', str(e))

    def test_unreachable_endpoint(self):
        plugin = self.make_plugin(endpoint_url='http://127.0.0.1:9',
                                  retries=0)
        e = self.assertRaises(exception.BankUnavailable, plugin.check)
        self.assertIn('127.0.0.1:9', str(e))

    def test_etag_is_the_md5_of_the_content(self):
        data = os.urandom(100000)
        info = self.bank.put_object('plans/p1/md', data)
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        self.assertEqual(md5, info.etag)
        self.assertEqual(md5, self.bank.head_object('plans/p1/md').etag)
        # As another client sees it.
        response = self.bucket.client().head_object(
            Bucket=self.bucket.name, Key='plans/p1/md')
        self.assertEqual('"%s"' % md5, response['ETag'])
        self.assertEqual(len(data), response['ContentLength'])
        # From a stream, below the multipart threshold: one PUT too.
        self.bank.put_object('streamed', (data[i:i + 4096]
                                          for i in range(0, len(data),
                                                         4096)))
        self.assertEqual(md5, self.bank.head_object('streamed').etag)

    def test_large_stream_is_a_multipart_upload(self):
        plugin = self.make_plugin(multipart_chunk_size=5 * MiB)
        bank = bank_plugin.Bank(plugin)
        data = os.urandom(MiB) * 11 + b'tail'
        md5 = bank_tests.md5(data)
        info = bank.put_object('big', (data[i:i + 3 * MiB]
                                       for i in range(0, len(data), 3 * MiB)))
        # The MD5 of the content, for the manifest, although S3 keeps
        # another ETag: head_object reports none rather than a wrong one.
        self.assertEqual(bank_plugin.ObjectInfo(len(data), md5), info)
        self.assertEqual(bank_plugin.ObjectInfo(len(data), None),
                         bank.head_object('big'))
        response = self.bucket.client().head_object(
            Bucket=self.bucket.name, Key='big')
        self.assertTrue(response['ETag'].endswith('-3"'), response['ETag'])
        self.assertEqual(data, bank.get_object('big'))
        self.assertEqual(data, b''.join(bank.iter_object('big')))
        self.assertEqual(['big'], bank.list_objects())
        bank.delete_object('big')
        self.assertRaises(exception.BankObjectNotFound,
                          bank.head_object, 'big')

    def test_failed_multipart_upload_is_aborted(self):
        plugin = self.make_plugin(multipart_chunk_size=5 * MiB)
        bank = bank_plugin.Bank(plugin)
        bank.put_object('obj', b'old')

        def failing():
            yield b'x' * (6 * MiB)
            yield b'y' * (5 * MiB)
            raise IOError('source went away')

        e = self.assertRaises(IOError, bank.put_object, 'obj', failing())
        self.assertEqual('source went away', str(e))
        self.assertEqual(b'old', bank.get_object('obj'))
        uploads = self.bucket.client().list_multipart_uploads(
            Bucket=self.bucket.name)
        self.assertEqual([], uploads.get('Uploads', []))

    def test_listing_over_several_s3_pages(self):
        # S3 gives at most list_page_size keys per request, then a
        # continuation token.
        self.plugin.list_page_size = 4
        self.put_keys(bank_tests.PAGED_KEYS + bank_tests.OUTSIDE_KEYS)
        keys = bank_tests.PAGED_KEYS
        self.assertEqual(keys, self.bank.list_objects('k/'))
        self.assertEqual(keys[::-1],
                         self.bank.list_objects('k/', sort_dir='desc'))
        self.assertEqual(keys[3:13],
                         self.bank.list_objects('k/', marker=keys[2],
                                                limit=10))
        self.assertEqual(keys[21:11:-1],
                         self.bank.list_objects('k/', marker=keys[22],
                                                limit=10, sort_dir='desc'))
        self.assertEqual(keys[:22][::-1],
                         self.bank.list_objects('k/', marker=keys[22],
                                                sort_dir='desc'))

    def test_plugin_from_the_entry_point(self):
        from stevedore import driver
        manager = driver.DriverManager('karbor.banks', 's3')
        self.assertIs(s3.S3BankPlugin, manager.driver)
