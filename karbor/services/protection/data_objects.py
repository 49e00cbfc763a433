"""The data objects of a resource in the bank: a byte stream cut into
objects ``data/00000000``, ``data/00000001``, ... of ``chunk_size`` bytes
(the last one shorter), each recorded in the manifest with its size,
SHA-256 and, where the bank reports ETags, MD5. Written and read by a few
threads with bounded memory.

Objects are written without waiting for the disk: one more thread flushes
them (``sync_objects``) behind the writers, so that hashing, writing and
the disk's own work overlap, and :func:`write` returns only once every
object is durable.
"""

import hashlib
import itertools
import queue
import threading

from karbor.common import exception
from karbor.services.protection import parallel

DATA_PREFIX = 'data/'


def object_key(index):
    return '%s%08d' % (DATA_PREFIX, index)


class _Flusher:
    """A thread that makes durable, in batches, the objects written so
    far; :meth:`finish` waits for all of them and raises the first
    error."""

    def __init__(self, section):
        self._section = section
        self._queue = queue.Queue()
        self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='karbor-data-sync')
        self._thread.start()

    def add(self, key):
        self._queue.put(key)

    def _run(self):
        done = False
        while not done:
            keys = [self._queue.get()]
            while True:
                try:
                    keys.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            done = None in keys
            keys = [k for k in keys if k is not None]
            if keys and self._error is None:
                try:
                    self._section.sync_objects(keys)
                except BaseException as e:
                    self._error = e

    def finish(self, raise_error=True):
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and raise_error:
            raise self._error


def write(section, chunks, threads, release=None):
    """Store ``chunks`` ((index, data) in order; data bytes-like) in
    ``section``; return their manifest entries once every object is
    durable. ``release(data)`` is called once an object's data is no
    longer needed (a buffer can be used again)."""

    def put(item, flusher=None):
        index, data = item
        try:
            digest = hashlib.sha256(data).hexdigest()
            size = memoryview(data).nbytes
            info = section.put_object_unsynced(object_key(index), data)
        finally:
            if release is not None:
                release(data)
        if flusher is not None:
            flusher.add(object_key(index))
        return {'key': object_key(index), 'size': size,
                'sha256': digest, 'md5': info.etag}

    chunks = iter(chunks)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if second is None:
        # One object at most (a small resource): no thread to start.
        objects = [put(first)] if first is not None else []
        if objects:
            section.sync_objects([objects[0]['key']])
        return objects
    flusher = _Flusher(section)
    try:
        objects = list(parallel.ordered_map(
            lambda item: put(item, flusher),
            itertools.chain((first, second), chunks), threads))
    except BaseException:
        flusher.finish(raise_error=False)
        raise
    flusher.finish()
    return objects


def read_checked(section, entry, buffer=None):
    """The whole object, once its size and SHA-256 match the manifest:
    read into ``buffer`` (a bytearray, as a memoryview of its first bytes)
    when it is large enough, else into new memory."""
    if buffer is not None and len(buffer) >= entry['size']:
        data = memoryview(buffer)[:entry['size']]
        size = section.read_into(entry['key'], data)
        digest = hashlib.sha256(data).hexdigest() \
            if size == entry['size'] else None
    else:
        hashing = hashlib.sha256()
        chunks = []
        for chunk in section.iter_object(entry['key']):
            hashing.update(chunk)
            chunks.append(chunk)
        data = b''.join(chunks) if len(chunks) != 1 else chunks[0]
        size, digest = len(data), hashing.hexdigest()
    if size != entry['size']:
        raise exception.ProtectionFailed(
            reason='object %s: size %d expected, %d found' % (
                entry['key'], entry['size'], size))
    if digest != entry['sha256']:
        raise exception.ProtectionFailed(
            reason='object %s: SHA-256 mismatch (expected %s, found %s)' % (
                entry['key'], entry['sha256'], digest))
    return data


def objects_problem(manifest):
    """What is inconsistent in the objects of a manifest (numbering, sizes,
    digests, total_bytes), or None. Raises KeyError or TypeError on a
    manifest without the fields."""
    objects = manifest['objects']
    chunk_size = manifest['chunk_size']
    for index, entry in enumerate(objects):
        if entry['key'] != object_key(index):
            return 'object %d is %s, expected %s' % (
                index, entry['key'], object_key(index))
        last = index == len(objects) - 1
        if entry['size'] <= 0 or entry['size'] > chunk_size or (
                not last and entry['size'] != chunk_size):
            return 'object %s has size %d; objects are %d bytes but ' \
                   'the last' % (entry['key'], entry['size'], chunk_size)
        if not isinstance(entry.get('sha256'), str) or \
                len(entry['sha256']) != 64:
            return 'object %s has no SHA-256' % entry['key']
    total = sum(o['size'] for o in objects)
    if total != manifest['total_bytes']:
        return 'the objects hold %d bytes, the total says %d' % (
            total, manifest['total_bytes'])
    return None
