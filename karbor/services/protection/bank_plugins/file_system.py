"""A bank in a directory of the local file system (the default bank).

Each object is a file whose path is its key. A write goes to a temporary
file in the same directory, is flushed to disk, then renamed over the key:
a reader sees the old object or the new one, never a part of it.

A file system keeps no checksum of a file, so this bank reports no ETag,
neither when it stores an object nor when asked about one: computing an
MD5 of every byte written would cost more than the write (only the Swift
and S3 banks, whose ETags are MD5s, need one); verification reads the
data and checks its SHA-256 instead.
"""

from concurrent import futures
import os
import threading
import uuid

from oslo_config import cfg

from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import bank_plugin

GROUP = 'file_system_bank'

opts = [
    cfg.StrOpt('path',
               help=_('Directory of the bank. Default: "bank" in the '
                      'state directory.')),
    cfg.BoolOpt('fsync', default=True,
                help=_('Flush objects to disk: an index, status or '
                       'manifest before it is visible, so that a crash '
                       'never leaves a torn one; the data objects of a '
                       'protect are flushed by a thread of their own '
                       'behind the writers, all of them before the '
                       'checkpoint can be available.')),
]

_TMP_PREFIX = '.tmp-'

# Threads that flush many files at once: fsyncs in parallel share the
# file system's journal commits (measured here: 1,000 small files in
# 2.9 s one after the other, 0.26 s on 32 threads). They wait on the
# disk, not the CPU.
SYNC_THREADS = 32
_sync_pool = None
_sync_pool_lock = threading.Lock()


def _pool():
    global _sync_pool
    with _sync_pool_lock:
        if _sync_pool is None:
            _sync_pool = futures.ThreadPoolExecutor(
                max_workers=SYNC_THREADS, thread_name_prefix='karbor-fsync')
        return _sync_pool


def _fsync_path(path, flags=0):
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_all(paths, flags=0):
    """fsync each of ``paths``; many at once on the shared threads."""
    if len(paths) < 4:
        for path in paths:
            _fsync_path(path, flags)
        return
    # Every one is waited for, then the first error (if any) raised.
    done = [_pool().submit(_fsync_path, path, flags) for path in paths]
    futures.wait(done)
    for future in done:
        future.result()


def list_opts():
    return [(GROUP, opts)]


class FileSystemBankPlugin(bank_plugin.BankPlugin):

    def __init__(self, conf, default_path=None):
        super().__init__(conf)
        conf.register_opts(opts, group=GROUP)
        path = conf[GROUP].path or default_path
        if not path:
            raise exception.BankUnavailable(
                bank='file_system', reason='no [file_system_bank] path')
        self.root = os.path.abspath(path)
        self.fsync = conf[GROUP].fsync

    def check(self):
        try:
            os.makedirs(self.root, exist_ok=True)
        except OSError as e:
            raise exception.BankUnavailable(bank=self.root, reason=str(e))
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise exception.BankUnavailable(
                bank=self.root, reason='the directory is not writable')

    def _path(self, key):
        return os.path.join(self.root, *key.split('/'))

    def put_object(self, key, data):
        return self._put(key, data, self.fsync)

    def put_object_unsynced(self, key, data):
        # Renamed into place at once; flushed by sync_objects.
        return self._put(key, data, False)

    def _put(self, key, data, fsync):
        path = self._path(key)
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        tmp = os.path.join(directory, _TMP_PREFIX + uuid.uuid4().hex)
        size = 0
        chunks = (data,) if isinstance(data, (bytes, bytearray, memoryview)) \
            else data
        try:
            with open(tmp, 'wb') as f:
                for chunk in chunks:
                    f.write(chunk)
                    size += memoryview(chunk).nbytes
                if fsync:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return bank_plugin.ObjectInfo(size, None)

    def sync_objects(self, keys):
        """fsync each object, then each directory that holds one (their
        names are durable too)."""
        if not self.fsync:
            return
        paths = [self._path(key) for key in keys]
        try:
            _fsync_all(paths)
        except (FileNotFoundError, NotADirectoryError) as e:
            raise exception.BankObjectNotFound(key=next(
                (k for k, p in zip(keys, paths) if p == e.filename),
                keys[0]))
        _fsync_all(sorted({os.path.dirname(p) for p in paths}),
                   os.O_DIRECTORY)

    def iter_object(self, key, chunk_size=bank_plugin.READ_CHUNK):
        try:
            f = open(self._path(key), 'rb')
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise exception.BankObjectNotFound(key=key)
        return self._reader(f, chunk_size)

    @staticmethod
    def _reader(f, chunk_size):
        with f:
            while True:
                chunk = f.read(chunk_size)
                if not chunk:
                    return
                yield chunk

    def _open(self, key):
        try:
            return open(self._path(key), 'rb', buffering=0)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise exception.BankObjectNotFound(key=key)

    def read_into(self, key, buffer):
        view = memoryview(buffer).cast('B')
        with self._open(key) as f:
            size = os.fstat(f.fileno()).st_size
            if size != len(view):
                return size
            got = 0
            while got < size:
                n = f.readinto(view[got:])
                if not n:
                    return got  # shrunk since
                got += n
            # Grown since: the size is what is there now.
            return got if not f.read(1) else os.fstat(f.fileno()).st_size

    def iter_object_into(self, key, buffer):
        view = memoryview(buffer).cast('B')
        return self._reader_into(self._open(key), view)

    @staticmethod
    def _reader_into(f, view):
        with f:
            while True:
                n = f.readinto(view)
                if not n:
                    return
                yield n

    def get_object(self, key):
        try:
            with open(self._path(key), 'rb') as f:
                return f.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise exception.BankObjectNotFound(key=key)

    def head_object(self, key):
        try:
            st = os.stat(self._path(key))
        except (FileNotFoundError, NotADirectoryError):
            raise exception.BankObjectNotFound(key=key)
        if not os.path.isfile(self._path(key)):
            raise exception.BankObjectNotFound(key=key)
        # A file system does not keep an MD5; verification reads the data.
        return bank_plugin.ObjectInfo(st.st_size, None)

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        # Walk only below the deepest directory the prefix names.
        base = prefix.rsplit('/', 1)[0] if '/' in prefix else ''
        start = self._path(base) if base else self.root
        keys = []
        for dirpath, dirnames, filenames in os.walk(start):
            rel = os.path.relpath(dirpath, self.root)
            rel = '' if rel == '.' else rel.replace(os.sep, '/') + '/'
            dirnames[:] = [d for d in dirnames
                           if (rel + d + '/').startswith(prefix) or
                           prefix.startswith(rel + d + '/')]
            for name in filenames:
                if name.startswith(_TMP_PREFIX):
                    continue
                key = rel + name
                if key.startswith(prefix):
                    keys.append(key)
        keys.sort()
        return bank_plugin.page(keys, marker, limit, sort_dir)

    def delete_object(self, key):
        path = self._path(key)
        try:
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError):
            return
        # Remove directories left empty, up to the bank root. A directory
        # that holds only temporary files of writes that never finished (a
        # process killed mid-write) is empty too: they go with it.
        directory = os.path.dirname(path)
        while directory != self.root:
            self._drop_orphan_temporaries(directory)
            try:
                os.rmdir(directory)
            except OSError:
                break
            directory = os.path.dirname(directory)

    @staticmethod
    def _drop_orphan_temporaries(directory):
        try:
            names = os.listdir(directory)
        except OSError:
            return
        if names and all(n.startswith(_TMP_PREFIX) for n in names):
            for name in names:
                try:
                    os.unlink(os.path.join(directory, name))
                except OSError:
                    pass
