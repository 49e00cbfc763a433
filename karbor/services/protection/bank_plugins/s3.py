"""A bank in one bucket of an S3 service (boto3): AWS, Ceph RGW, MinIO,
OpenStack Swift's s3api, ...

S3's PUT is atomic, and so is the completion of a multipart upload. A
single-part object's ETag is the MD5 of its content, which verification
compares with the MD5 recorded at protect time. A multipart object's ETag
is an MD5 of the parts' MD5s followed by ``-<parts>``, and an object
encrypted with SSE-KMS or SSE-C has an ETag that is no MD5 at all: for
those :meth:`S3BankPlugin.head_object` reports no ETag rather than a wrong
one, and verification falls back on size (and, at the deep level, on
reading the data).

Objects written from an iterable are buffered up to
``[s3_bank] multipart_chunk_size`` and sent in one PUT; only a larger one
becomes a multipart upload, in parts of that size, so memory stays bounded
whatever the size of the object.

S3 lists keys in ascending byte order only. A descending listing
therefore reads every key under the prefix (up to the marker) and pages
them in memory; an ascending one asks S3 for just the page.

One boto3 client serves every thread of the plugin: botocore clients are
thread-safe, they share one connection pool (so connections are reused
across the worker threads, which come and go), and each client costs tens
of milliseconds and a few MiB to create. Every open stream holds its own
pooled connection until it is read to the end or closed, so a thread may
read several objects and write another at the same time.
"""

import base64
import hashlib

import boto3
from botocore import config as botocore_config
from botocore import exceptions as botocore_exc
from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import bank_plugin

LOG = logging.getLogger(__name__)

GROUP = 's3_bank'

MiB = 1 << 20
# S3's smallest part (but the last) of a multipart upload.
MIN_PART_SIZE = 5 * MiB

opts = [
    cfg.StrOpt('endpoint_url',
               help=_('URL of the S3 service, e.g. http://127.0.0.1:8080 '
                      'for Swift with s3api. Default: AWS S3 of the '
                      'region.')),
    cfg.StrOpt('region', default='us-east-1',
               help=_('Region to sign requests for and to create the '
                      'bucket in.')),
    cfg.StrOpt('access_key',
               help=_('Access key id (Swift s3api with tempauth: '
                      'account:user). Unset: the credentials that boto3 '
                      'finds itself (environment, ~/.aws, instance '
                      'role).')),
    cfg.StrOpt('secret_key', secret=True,
               help=_('Secret access key.')),
    cfg.StrOpt('bucket', default='karbor',
               help=_('Bucket that holds the bank; created if missing.')),
    cfg.StrOpt('addressing_style', default='path',
               choices=[('path', _('http://host/bucket/key, what most S3 '
                                   'services other than AWS expect')),
                        ('virtual', _('http://bucket.host/key'))],
               help=_('How requests name the bucket.')),
    cfg.BoolOpt('verify_tls', default=True,
                help=_('Verify the TLS certificate of the S3 service.')),
    cfg.StrOpt('ca_bundle',
               help=_('CA bundle to verify the S3 service with.')),
    cfg.IntOpt('retries', default=3, min=0,
               help=_('Retries of a failed S3 request.')),
    cfg.IntOpt('multipart_chunk_size', default=8 * MiB, min=MIN_PART_SIZE,
               help=_('Bytes. An object written from a stream is sent in '
                      'one PUT up to this size, as a multipart upload in '
                      'parts of this size beyond it. This much is '
                      'buffered per write.')),
    cfg.IntOpt('max_connections', default=32, min=1,
               help=_('Connections kept open to the S3 service, shared by '
                      'all threads.')),
]

# Error codes of a request that S3 refused because of its credentials.
_CREDENTIAL_ERRORS = {
    'InvalidAccessKeyId': 'the access key %(key)r is unknown',
    'SignatureDoesNotMatch': 'the secret key does not match the access key '
                             '%(key)r',
    'AccessDenied': 'access key %(key)r may not use the bucket',
    'InvalidToken': 'the session token of access key %(key)r is invalid',
    'ExpiredToken': 'the session token of access key %(key)r has expired',
    'AllAccessDisabled': 'access key %(key)r may not use the bucket',
    'AccountProblem': 'the account of access key %(key)r is disabled',
}
_NOT_FOUND = ('NoSuchKey', 'NotFound', '404')
# Server-side encryption whose ETag is not the MD5 of the content.
_OPAQUE_ETAG_SSE = ('aws:kms', 'aws:kms:dsse')


def list_opts():
    return [(GROUP, opts)]


def _md5_b64(digest):
    return base64.b64encode(digest).decode('ascii')


def _opaque_etag(response):
    return (response.get('ServerSideEncryption') in _OPAQUE_ETAG_SSE or
            bool(response.get('SSECustomerAlgorithm')))


class S3BankPlugin(bank_plugin.BankPlugin):

    # Keys asked for in one listing request (S3 gives at most 1000).
    list_page_size = 1000

    def __init__(self, conf, default_path=None):
        super().__init__(conf)
        conf.register_opts(opts, group=GROUP)
        self.opts = conf[GROUP]
        self.bucket = self.opts.bucket
        self.endpoint = self.opts.endpoint_url or 'AWS S3 (%s)' % (
            self.opts.region)
        self.part_size = self.opts.multipart_chunk_size
        try:
            self.client = self._make_client()
        except Exception as e:  # a malformed endpoint URL, say
            raise exception.BankUnavailable(
                bank=self._bank_name(),
                reason='no S3 client could be made: %s' % e)

    def _make_client(self):
        o = self.opts
        options = {
            's3': {'addressing_style': o.addressing_style},
            'retries': {'total_max_attempts': o.retries + 1,
                        'mode': 'standard'},
            'max_pool_connections': o.max_connections,
        }
        # botocore >= 1.36 adds a CRC32 checksum header (and for streams
        # aws-chunked encoding) to every upload by default, which several
        # S3 services other than AWS refuse. Every PUT here carries a
        # Content-MD5, which all of them check.
        if 'request_checksum_calculation' in \
                botocore_config.Config.OPTION_DEFAULTS:
            options['request_checksum_calculation'] = 'when_required'
            options['response_checksum_validation'] = 'when_required'
        if not o.verify_tls:
            verify = False
        else:
            verify = o.ca_bundle or None
        # A session of its own: boto3's default session is not
        # thread-safe, and a provider's credentials are its own.
        session = boto3.session.Session(
            aws_access_key_id=o.access_key,
            aws_secret_access_key=o.secret_key,
            region_name=o.region)
        return session.client(
            's3', endpoint_url=o.endpoint_url, verify=verify,
            config=botocore_config.Config(**options))

    # ------------------------------------------------------------ errors

    def _bank_name(self):
        return 's3 bucket %s at %s' % (self.bucket, self.endpoint)

    def _error(self, e, key=None):
        if isinstance(e, exception.KarborException):
            return e
        if isinstance(e, botocore_exc.ClientError):
            error = e.response.get('Error', {})
            code = error.get('Code', '')
            status = e.response.get('ResponseMetadata', {}).get(
                'HTTPStatusCode')
            if key is not None and (code in _NOT_FOUND or (
                    status == 404 and code != 'NoSuchBucket')):
                return exception.BankObjectNotFound(key=key)
            if code == 'NoSuchBucket' or (key is None and status == 404):
                return exception.BankUnavailable(
                    bank=self._bank_name(),
                    reason='the bucket does not exist')
            if code == 'RequestTimeTooSkewed':
                return exception.BankUnavailable(
                    bank=self._bank_name(),
                    reason='S3 refused the request because the clock of '
                           'this host differs too much from its own')
            if code in _CREDENTIAL_ERRORS or status == 403:
                what = _CREDENTIAL_ERRORS.get(
                    code, 'access key %(key)r was refused') % {
                        'key': self.opts.access_key}
                return exception.BankUnavailable(
                    bank=self._bank_name(),
                    reason='S3 refused the credentials: %s (HTTP %s %s)' % (
                        what, status, code))
            return exception.BankError(reason='S3 at %s, bucket %s: %s' % (
                self.endpoint, self.bucket, e))
        if isinstance(e, (botocore_exc.NoCredentialsError,
                          botocore_exc.PartialCredentialsError)):
            return exception.BankUnavailable(
                bank=self._bank_name(),
                reason='no S3 credentials: set [%s] access_key and '
                       'secret_key (%s)' % (GROUP, e))
        if isinstance(e, botocore_exc.EndpointConnectionError):
            return exception.BankUnavailable(
                bank=self._bank_name(), reason=str(e))
        return exception.BankError(reason='S3 at %s, bucket %s: %s' % (
            self.endpoint, self.bucket, e))

    # ------------------------------------------------------------ bank

    def check(self):
        """The bucket is there (created if not) and the credentials may
        list it."""
        try:
            self.client.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
            return
        except botocore_exc.ClientError as e:
            if e.response.get('Error', {}).get('Code') != 'NoSuchBucket':
                raise self._error(e)
        except Exception as e:
            raise self._error(e)
        kwargs = {'Bucket': self.bucket}
        if self.opts.region and self.opts.region != 'us-east-1':
            kwargs['CreateBucketConfiguration'] = {
                'LocationConstraint': self.opts.region}
        try:
            self.client.create_bucket(**kwargs)
            LOG.info('Created the bank bucket %s at %s', self.bucket,
                     self.endpoint)
        except botocore_exc.ClientError as e:
            # Created by another worker since.
            if e.response.get('Error', {}).get('Code') != \
                    'BucketAlreadyOwnedByYou':
                raise self._error(e)
        except Exception as e:
            raise self._error(e)

    def put_object(self, key, data):
        if isinstance(data, (bytes, bytearray, memoryview)):
            return self._put_single(key, bytes(data))
        md5 = hashlib.md5(usedforsecurity=False)
        size = 0
        buffer = bytearray()
        chunks = iter(data)
        for chunk in chunks:
            md5.update(chunk)
            size += len(chunk)
            buffer += chunk
            if len(buffer) > self.part_size:
                return self._put_multipart(key, buffer, chunks, md5, size)
        return self._put_single(key, bytes(buffer))

    def _put_single(self, key, data):
        digest = hashlib.md5(data, usedforsecurity=False)
        try:
            response = self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data,
                ContentMD5=_md5_b64(digest.digest()))
        except Exception as e:
            raise self._error(e, key)
        self._check_etag(key, response, digest.hexdigest())
        return bank_plugin.ObjectInfo(len(data), digest.hexdigest())

    def _put_multipart(self, key, buffer, chunks, md5, size):
        """Send ``buffer`` and the rest of ``chunks`` in parts of
        ``part_size``; ``md5`` and ``size`` already count ``buffer``."""
        try:
            upload_id = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key)['UploadId']
        except Exception as e:
            raise self._error(e, key)
        parts, part_digests = [], []

        def send(part):
            digest = hashlib.md5(part, usedforsecurity=False).digest()
            number = len(parts) + 1
            response = self.client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id,
                PartNumber=number, Body=part, ContentMD5=_md5_b64(digest))
            parts.append({'PartNumber': number, 'ETag': response['ETag']})
            part_digests.append(digest)

        try:
            while True:
                while len(buffer) >= self.part_size:
                    send(bytes(buffer[:self.part_size]))
                    del buffer[:self.part_size]
                chunk = next(chunks, None)
                if chunk is None:
                    break
                md5.update(chunk)
                size += len(chunk)
                buffer += chunk
            if buffer or not parts:
                send(bytes(buffer))
            del buffer[:]
            response = self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id,
                MultipartUpload={'Parts': parts})
        except BaseException as e:
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=upload_id)
            except Exception as abort_error:
                LOG.warning('Could not abort the multipart upload %s of '
                            '%s in bucket %s: %s', upload_id, key,
                            self.bucket, abort_error)
            # An error of S3 becomes a bank error; one of the data source
            # goes on as it is.
            if isinstance(e, (botocore_exc.BotoCoreError,
                              botocore_exc.ClientError)):
                raise self._error(e, key) from e
            raise
        expected = '%s-%d' % (
            hashlib.md5(b''.join(part_digests),
                        usedforsecurity=False).hexdigest(), len(parts))
        self._check_etag(key, response, expected)
        return bank_plugin.ObjectInfo(size, md5.hexdigest())

    def _check_etag(self, key, response, expected):
        etag = response.get('ETag', '').strip('"')
        if not etag or _opaque_etag(response) or etag == expected:
            return
        self.delete_object(key)
        raise exception.BankError(
            reason='S3 stored %s with ETag %s, but the data sent gives %s' %
                   (key, etag, expected))

    def iter_object(self, key, chunk_size=bank_plugin.READ_CHUNK):
        # The request now, so that a missing object fails at the call.
        try:
            body = self.client.get_object(Bucket=self.bucket,
                                          Key=key)['Body']
        except Exception as e:
            raise self._error(e, key)
        return self._stream(key, body, chunk_size)

    def _stream(self, key, body, chunk_size):
        try:
            yield from body.iter_chunks(chunk_size)
        except botocore_exc.BotoCoreError as e:
            raise self._error(e, key) from e
        finally:
            body.close()

    def get_object(self, key):
        try:
            body = self.client.get_object(Bucket=self.bucket,
                                          Key=key)['Body']
            try:
                return body.read()
            finally:
                body.close()
        except Exception as e:
            raise self._error(e, key)

    def head_object(self, key):
        try:
            response = self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as e:
            raise self._error(e, key)
        etag = response.get('ETag', '').strip('"') or None
        # A multipart or encrypted object's ETag is not its MD5.
        if etag and ('-' in etag or _opaque_etag(response)):
            etag = None
        return bank_plugin.ObjectInfo(response['ContentLength'], etag)

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        if sort_dir not in ('asc', 'desc'):
            raise exception.InvalidInput(
                reason='sort direction must be asc or desc, not %r' %
                       sort_dir)
        if limit == 0:
            return []
        if sort_dir == 'asc':
            return self._list(prefix, start_after=marker, limit=limit)
        # No reverse listing in S3: every key before the marker, in
        # memory, then the page from its end.
        keys = self._list(prefix, stop_at=marker)
        return bank_plugin.page(keys, marker, limit, sort_dir)

    def _list(self, prefix, start_after=None, limit=None, stop_at=None):
        """Keys under ``prefix`` in ascending order: after
        ``start_after``, before ``stop_at``, at most ``limit``."""
        keys = []
        kwargs = {'Bucket': self.bucket, 'Prefix': prefix}
        if start_after is not None:
            kwargs['StartAfter'] = start_after
        while True:
            kwargs['MaxKeys'] = self.list_page_size
            if limit is not None:
                kwargs['MaxKeys'] = min(kwargs['MaxKeys'], limit - len(keys))
            try:
                response = self.client.list_objects_v2(**kwargs)
            except Exception as e:
                raise self._error(e)
            for item in response.get('Contents', ()):
                if stop_at is not None and item['Key'] >= stop_at:
                    return keys
                keys.append(item['Key'])
            if not response.get('IsTruncated') or (
                    limit is not None and len(keys) >= limit):
                return keys
            kwargs['ContinuationToken'] = response['NextContinuationToken']

    def delete_object(self, key):
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as e:
            err = self._error(e, key)
            if isinstance(err, exception.BankObjectNotFound):
                return
            raise err
