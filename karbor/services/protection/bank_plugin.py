"""Banks: where checkpoints live.

A bank plugin stores opaque objects under keys. :class:`Bank` wraps one and
validates every key before the plugin sees it, so that no plugin has to
worry about ``..`` or empty segments, and :class:`BankSection` gives a
plugin a view limited to one prefix (one resource of one checkpoint).
"""

import abc
import collections
import functools
import hashlib
import json
import re

from karbor.common import exception

ObjectInfo = collections.namedtuple('ObjectInfo', ['size', 'etag'])
"""What a bank knows of a stored object: its size and, where the bank
reports one, its ETag (the MD5 of the content, in hex)."""

_SEGMENT = re.compile(r'^[A-Za-z0-9_.@:#=+\-]+$')

READ_CHUNK = 1 << 20


def validate_key(key):
    """Return ``key`` normalised (no leading slash), or raise InvalidKey."""
    if isinstance(key, str) and key:
        # Most keys are checked many times (a checkpoint's objects, its
        # resources' metadata): the answer for a valid one is kept.
        return _valid_key(key)
    return _validate_key(key)


@functools.lru_cache(maxsize=4096)
def _valid_key(key):
    return _validate_key(key)


def _validate_key(key):
    if not isinstance(key, str) or not key:
        raise exception.BankInvalidKey(key=key, reason='it is empty')
    stripped = key[1:] if key.startswith('/') else key
    segments = stripped.split('/')
    for segment in segments:
        if not segment:
            raise exception.BankInvalidKey(key=key,
                                           reason='it has an empty segment')
        if segment in ('.', '..'):
            raise exception.BankInvalidKey(
                key=key, reason='"." and ".." segments are not allowed')
        if not _SEGMENT.match(segment):
            raise exception.BankInvalidKey(
                key=key, reason='segment %r has characters outside '
                                'A-Z a-z 0-9 _ . @ : # = + -' % segment)
    return stripped


def validate_prefix(prefix):
    """A listing prefix: a key, possibly ending in '/', or empty."""
    if not prefix:
        return ''
    trailing = prefix.endswith('/')
    key = validate_key(prefix.rstrip('/') if trailing else prefix)
    return key + '/' if trailing else key


class BankPlugin(metaclass=abc.ABCMeta):
    """A storage backend. Keys given to it are already validated.

    Writes are atomic: a reader sees the old object, the whole new object,
    or none; never a part.
    """

    def __init__(self, conf):
        self._conf = conf

    @abc.abstractmethod
    def put_object(self, key, data):
        """Store ``data`` (bytes, or an iterable of bytes). -> ObjectInfo,
        whose ETag is what head_object would report (None for a bank
        that keeps none)."""

    @abc.abstractmethod
    def iter_object(self, key, chunk_size=READ_CHUNK):
        """Yield the content in chunks; BankObjectNotFound if absent."""

    @abc.abstractmethod
    def head_object(self, key):
        """ObjectInfo of the object; BankObjectNotFound if absent."""

    @abc.abstractmethod
    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        """Keys that start with ``prefix``, strictly after ``marker`` in
        ``sort_dir`` order, at most ``limit`` of them."""

    @abc.abstractmethod
    def delete_object(self, key):
        """Remove the object; no error if it is already gone."""

    def get_object(self, key):
        return b''.join(self.iter_object(key))

    def put_object_unsynced(self, key, data):
        """Store like put_object, visible at once, but durable only once
        :meth:`sync_objects` returns for it: many objects then reach the
        disk together instead of one after the other. A crash before the
        sync may leave such an object torn. -> ObjectInfo

        By default the same as put_object (durable at once)."""
        return self.put_object(key, data)

    def sync_objects(self, keys):
        """Make durable the objects ``keys`` stored by
        :meth:`put_object_unsynced`; nothing to do by default."""

    def read_into(self, key, buffer):
        """Fill ``buffer`` (a writable bytes-like object) with the first
        bytes of the object; return the object's size, which may differ
        from ``len(buffer)`` (then what the buffer holds is undefined).
        BankObjectNotFound if absent. A plugin that can read into memory
        it is given (no copy, no new memory per read) overrides it."""
        view = memoryview(buffer).cast('B')
        size = 0
        for chunk in self.iter_object(key):
            if size < len(view):
                n = min(len(chunk), len(view) - size)
                view[size:size + n] = chunk[:n]
            size += len(chunk)
        return size

    def iter_object_into(self, key, buffer):
        """Stream the object through ``buffer``: yield ``n`` each time
        ``buffer[:n]`` holds its next bytes (valid until the next
        iteration). BankObjectNotFound if absent. The default copies the
        chunks of :meth:`iter_object`."""
        view = memoryview(buffer).cast('B')
        for chunk in self.iter_object(key, len(view)):
            for start in range(0, len(chunk), len(view)):
                piece = chunk[start:start + len(view)]
                view[:len(piece)] = piece
                yield len(piece)

    def check(self):
        """Raise a clear error if the bank cannot be used (credentials,
        permissions); called once when the provider loads."""


def page(keys, marker=None, limit=None, sort_dir='asc'):
    """Apply marker, limit and direction to sorted ``keys`` (ascending)."""
    if sort_dir not in ('asc', 'desc'):
        raise exception.InvalidInput(
            reason='sort direction must be asc or desc, not %r' % sort_dir)
    if sort_dir == 'desc':
        keys = list(reversed(keys))
        if marker is not None:
            keys = [k for k in keys if k < marker]
    elif marker is not None:
        keys = [k for k in keys if k > marker]
    if limit is not None:
        keys = keys[:limit]
    return keys


class Bank:
    """A bank plugin behind key validation, with JSON helpers."""

    def __init__(self, plugin):
        self.plugin = plugin

    def put_object(self, key, data):
        return self.plugin.put_object(validate_key(key), data)

    def put_json(self, key, value):
        data = json.dumps(value, sort_keys=True).encode('utf-8')
        return self.put_object(key, data)

    def get_object(self, key):
        return self.plugin.get_object(validate_key(key))

    def get_json(self, key):
        data = self.get_object(key)
        try:
            return json.loads(data)
        except ValueError as e:
            raise exception.BankObjectCorrupt(
                key=key, reason='it is not valid JSON (%s)' % e,
                detail=str(e))

    def iter_object(self, key, chunk_size=READ_CHUNK):
        return self.plugin.iter_object(validate_key(key), chunk_size)

    def put_object_unsynced(self, key, data):
        return self.plugin.put_object_unsynced(validate_key(key), data)

    def sync_objects(self, keys):
        return self.plugin.sync_objects([validate_key(k) for k in keys])

    def read_into(self, key, buffer):
        return self.plugin.read_into(validate_key(key), buffer)

    def iter_object_into(self, key, buffer):
        return self.plugin.iter_object_into(validate_key(key), buffer)

    def head_object(self, key):
        return self.plugin.head_object(validate_key(key))

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        if marker is not None:
            marker = validate_key(marker)
        if limit is not None and limit < 0:
            raise exception.InvalidInput(reason='limit must be >= 0')
        return self.plugin.list_objects(validate_prefix(prefix), marker,
                                        limit, sort_dir)

    def delete_object(self, key):
        return self.plugin.delete_object(validate_key(key))

    def section(self, prefix):
        return BankSection(self, prefix)


class BankSection:
    """The part of a bank under one prefix; keys are relative to it."""

    def __init__(self, bank, prefix):
        self.bank = bank
        self.prefix = validate_key(prefix.rstrip('/')) + '/'

    def _key(self, key):
        return self.prefix + validate_key(key)

    def put_object(self, key, data):
        return self.bank.put_object(self._key(key), data)

    def put_json(self, key, value):
        return self.bank.put_json(self._key(key), value)

    def get_object(self, key):
        return self.bank.get_object(self._key(key))

    def get_json(self, key):
        return self.bank.get_json(self._key(key))

    def iter_object(self, key, chunk_size=READ_CHUNK):
        return self.bank.iter_object(self._key(key), chunk_size)

    def put_object_unsynced(self, key, data):
        return self.bank.put_object_unsynced(self._key(key), data)

    def sync_objects(self, keys):
        return self.bank.sync_objects([self._key(k) for k in keys])

    def read_into(self, key, buffer):
        return self.bank.read_into(self._key(key), buffer)

    def iter_object_into(self, key, buffer):
        return self.bank.iter_object_into(self._key(key), buffer)

    def head_object(self, key):
        return self.bank.head_object(self._key(key))

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        keys = self.bank.list_objects(
            self.prefix + prefix,
            None if marker is None else self._key(marker), limit, sort_dir)
        return [k[len(self.prefix):] for k in keys]

    def delete_object(self, key):
        return self.bank.delete_object(self._key(key))

    def full_key(self, key):
        return self._key(key)


def md5_hex(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()
