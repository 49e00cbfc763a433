"""A bank in one container of OpenStack Swift (python-swiftclient).

Swift's PUT is atomic, and it reports the MD5 of every object as its ETag,
which verification compares with the MD5 recorded at protect time.
"""

import hashlib
import io
import threading

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import bank_plugin

LOG = logging.getLogger(__name__)

GROUP = 'swift_bank'

opts = [
    cfg.StrOpt('container', default='karbor',
               help=_('Container that holds the bank.')),
    cfg.StrOpt('auth_url',
               help=_('Auth URL: a tempauth v1.0 URL '
                      '(http://host:8080/auth/v1.0) or a Keystone v3 URL.')),
    cfg.StrOpt('auth_version', default='1', choices=['1', '2', '3'],
               help=_('Swift auth version.')),
    cfg.StrOpt('user', help=_('User name (tempauth: account:user).')),
    cfg.StrOpt('key', secret=True, help=_('Password or key of the user.')),
    cfg.StrOpt('project_name', help=_('Keystone project (auth v3).')),
    cfg.StrOpt('user_domain_name', default='Default',
               help=_('Keystone user domain (auth v3).')),
    cfg.StrOpt('project_domain_name', default='Default',
               help=_('Keystone project domain (auth v3).')),
    cfg.StrOpt('storage_url',
               help=_('Storage URL to use with a fixed token instead of '
                      'authenticating.')),
    cfg.StrOpt('token', secret=True,
               help=_('Fixed token, with storage_url.')),
    cfg.IntOpt('retries', default=3, min=0,
               help=_('Retries of a failed Swift request.')),
    cfg.StrOpt('ca_cert', help=_('CA bundle to verify Swift with.')),
    cfg.BoolOpt('insecure', default=False,
                help=_('Do not verify the TLS certificate of Swift.')),
]


def list_opts():
    return [(GROUP, opts)]


class SwiftBankPlugin(bank_plugin.BankPlugin):

    def __init__(self, conf, default_path=None):
        super().__init__(conf)
        conf.register_opts(opts, group=GROUP)
        self.opts = conf[GROUP]
        self.container = self.opts.container
        # swiftclient connections are not thread-safe: one per thread.
        self._local = threading.local()

    def _connect(self):
        import swiftclient
        o = self.opts
        os_options = {}
        if o.auth_version == '3':
            os_options = {'project_name': o.project_name,
                          'user_domain_name': o.user_domain_name,
                          'project_domain_name': o.project_domain_name}
        return swiftclient.Connection(
            authurl=o.auth_url, user=o.user, key=o.key,
            auth_version=o.auth_version, os_options=os_options,
            preauthurl=o.storage_url, preauthtoken=o.token,
            retries=o.retries, cacert=o.ca_cert, insecure=o.insecure)

    @property
    def connection(self):
        conn = getattr(self._local, 'conn', None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _error(self, e, key=None):
        import swiftclient
        if isinstance(e, swiftclient.ClientException):
            if e.http_status == 404 and key is not None:
                return exception.BankObjectNotFound(key=key)
            if e.http_status in (401, 403):
                return exception.BankUnavailable(
                    bank='swift container %s' % self.container,
                    reason='Swift refused the credentials (HTTP %s)' %
                           e.http_status)
        return exception.BankError(reason='Swift at %s: %s' % (
            self.opts.auth_url or self.opts.storage_url, e))

    def check(self):
        try:
            self.connection.put_container(self.container)
        except Exception as e:
            raise self._error(e)

    def put_object(self, key, data):
        md5 = hashlib.md5(usedforsecurity=False)
        size = 0
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = bytes(data)
            md5.update(data)
            size = len(data)
            # A file-like object, which swiftclient can rewind: it cannot
            # resend plain bytes, so a retry (an expired token, a 5xx)
            # would fail with "no ability to reset contents".
            contents, length = io.BytesIO(data), size
        else:
            def counted(chunks):
                nonlocal size
                for chunk in chunks:
                    md5.update(chunk)
                    size += len(chunk)
                    yield chunk
            contents, length = counted(data), None
        try:
            etag = self.connection.put_object(self.container, key, contents,
                                              content_length=length)
        except Exception as e:
            raise self._error(e, key)
        if etag and etag.strip('"') != md5.hexdigest():
            self.delete_object(key)
            raise exception.BankError(
                reason='Swift stored %s with ETag %s, but the data sent has '
                       'MD5 %s' % (key, etag, md5.hexdigest()))
        return bank_plugin.ObjectInfo(size, md5.hexdigest())

    def iter_object(self, key, chunk_size=bank_plugin.READ_CHUNK):
        # A connection of its own for the stream: a swiftclient connection
        # reads every body from its latest response, so any other request
        # of this thread while the stream is open would corrupt it.
        conn = self._connect()
        conn.url, conn.token = self.connection.url, self.connection.token
        try:
            _headers, body = conn.get_object(
                self.container, key, resp_chunk_size=chunk_size)
        except Exception as e:
            conn.close()
            raise self._error(e, key)
        return self._stream(conn, body)

    @staticmethod
    def _stream(conn, body):
        try:
            yield from body
        finally:
            conn.close()

    def get_object(self, key):
        try:
            _headers, body = self.connection.get_object(self.container, key)
        except Exception as e:
            raise self._error(e, key)
        return body

    def head_object(self, key):
        try:
            headers = self.connection.head_object(self.container, key)
        except Exception as e:
            raise self._error(e, key)
        return bank_plugin.ObjectInfo(int(headers['content-length']),
                                      headers.get('etag', '').strip('"'))

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        if sort_dir not in ('asc', 'desc'):
            raise exception.InvalidInput(
                reason='sort direction must be asc or desc')
        keys = []
        page_marker = marker
        while limit is None or len(keys) < limit:
            want = None if limit is None else limit - len(keys)
            try:
                _headers, listing = self.connection.get_container(
                    self.container, prefix=prefix or None,
                    marker=page_marker, limit=want,
                    query_string='reverse=on' if sort_dir == 'desc'
                    else None)
            except Exception as e:
                raise self._error(e)
            if not listing:
                break
            keys.extend(item['name'] for item in listing)
            page_marker = listing[-1]['name']
        return keys

    def delete_object(self, key):
        try:
            self.connection.delete_object(self.container, key)
        except Exception as e:
            err = self._error(e, key)
            if isinstance(err, exception.BankObjectNotFound):
                return
            raise err
